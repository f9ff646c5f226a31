import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ONNX_VARIANT_PREFERENCE, ONNX_VARIANT_SUFFIX, RUN_PIPELINES, type OnnxVariantFile, type RunPipeline, type RuntimeReasonCode } from '@sokhan/common';

/**
 * The first half of the inspection, from the files alone (no model is loaded): which pipelines the model's
 * config.json says it runs, which ONNX variants it has in transformers.js' layout, or why it cannot run here.
 * The second half (loading it once) is the probe, in the runtime worker.
 */
export type Survey =
  | { ok: true; pipelines: RunPipeline[]; variants: OnnxVariantFile[]; externalData: boolean; config: ModelConfig }
  | { ok: false; reasonCode: RuntimeReasonCode; reason: string };

/** The fields of config.json the inspection reads. */
export interface ModelConfig {
  architectures?: unknown;
  model_type?: unknown;
  label2id?: unknown;
  hidden_size?: unknown;
  d_model?: unknown;
  dim?: unknown;
  sampling_rate?: unknown;
}

/** Model types whose bare `…Model` class is a text encoder transformers.js runs as feature-extraction. */
const TEXT_ENCODERS = new Set([
  'albert', 'bert', 'camembert', 'convbert', 'deberta', 'deberta-v2', 'distilbert', 'electra', 'ernie', 'esm', 'eurobert',
  'mobilebert', 'modernbert', 'mpnet', 'neobert', 'nomic_bert', 'roberta', 'roformer', 'squeezebert', 'xlm', 'xlm-roberta',
]);

/** Hub pipeline tags that are one of ours under another name. */
const TAG_ALIASES: Record<string, RunPipeline> = {
  'sentence-similarity': 'feature-extraction',
  'text-to-audio': 'text-to-speech',
  'sentiment-analysis': 'text-classification',
  ner: 'token-classification',
};

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_ENTRIES = 5000;
const MAX_DEPTH = 4;

export async function surveyModel(folder: string, pipelineTag: string | null): Promise<Survey> {
  const files = await listFiles(folder);
  const has = (p: string) => files.has(p);

  if (!has('config.json')) {
    const voice = [...files.keys()].find((f) => f.endsWith('.onnx') && has(`${f}.json`));
    if (voice) return fail('piper-voice', `a Piper voice (${voice}): it speaks on the speech page, not through transformers.js`);
    return fail('no-config', 'no config.json: transformers.js needs the model’s config');
  }
  const config = await readConfig(path.join(folder, 'config.json'), files.get('config.json') ?? 0);
  if (!config) return fail('no-config', 'config.json is not a JSON object');

  const pipelines = pipelinesOf(config, pipelineTag);
  if (pipelines.length === 0) {
    const arch = firstArchitecture(config) ?? (typeof config.model_type === 'string' ? config.model_type : 'an unknown architecture');
    const task = pipelineTag ? `${pipelineTag} (${arch})` : arch;
    return fail('unsupported-task', `it does ${task}, which does not run here (${RUN_PIPELINES.join(', ')} do)`);
  }

  const variants = ONNX_VARIANT_PREFERENCE.flatMap((variant): OnnxVariantFile[] => {
    const file = `onnx/model${ONNX_VARIANT_SUFFIX[variant]}.onnx`;
    const size = files.get(file);
    if (size === undefined) return [];
    // Models past 2 GB keep their weights beside the graph (`model.onnx_data`, `model.onnx_data_1`…).
    const data = [...files.entries()].filter(([f]) => f.startsWith(`${file}_data`)).reduce((n, [, s]) => n + s, 0);
    return [{ variant, file, sizeBytes: size + data }];
  });
  if (variants.length === 0) {
    const onnxFolder = [...files.keys()].some((f) => f.startsWith('onnx/'));
    if (onnxFolder) return fail('no-onnx', 'no onnx/model.onnx (nor a quantised onnx/model_*.onnx) in its onnx/ folder');
    const names = [...files.keys()];
    if (names.some((f) => /(^|\/)(pytorch_model.*\.bin|.*\.safetensors|.*\.pt|.*\.pth)$/.test(f))) return fail('pytorch-only', 'weights are PyTorch only: no onnx/ folder');
    if (names.some((f) => /(^|\/)tf_model.*\.h5$/.test(f))) return fail('tensorflow-only', 'weights are TensorFlow only: no onnx/ folder');
    return fail('no-onnx', 'no onnx/ folder and no weights transformers.js can read');
  }
  if (!has('tokenizer.json') || !has('tokenizer_config.json')) {
    const missing = ['tokenizer.json', 'tokenizer_config.json'].filter((f) => !has(f)).join(' and ');
    return fail('no-tokenizer', `no ${missing}: transformers.js reads the tokenizers format (vocab.txt alone is not enough)`);
  }
  const externalData = [...files.keys()].some((f) => /^onnx\/model[^/]*\.onnx_data/.test(f));
  return { ok: true, pipelines, variants, externalData, config };
}

/** What the architecture runs here, the Hub's pipeline tag first when it is one of them. */
export function pipelinesOf(config: ModelConfig, pipelineTag: string | null): RunPipeline[] {
  const arch = firstArchitecture(config) ?? '';
  const type = typeof config.model_type === 'string' ? config.model_type : '';
  let found: RunPipeline[] = [];
  if (type === 'vits' || arch === 'VitsModel') found = ['text-to-speech'];
  else if (arch.endsWith('ForSequenceClassification')) {
    found = ['text-classification'];
    if (labelNames(config).includes('entailment')) found.push('zero-shot-classification');
  } else if (arch.endsWith('ForTokenClassification')) found = ['token-classification'];
  else if (arch.endsWith('ForMaskedLM')) found = ['fill-mask'];
  else if ((arch.endsWith('Model') && !arch.includes('For') && TEXT_ENCODERS.has(type)) || (!arch && TEXT_ENCODERS.has(type))) found = ['feature-extraction'];
  const tag = pipelineTag ? (TAG_ALIASES[pipelineTag] ?? pipelineTag) : null;
  if (tag && found.includes(tag as RunPipeline)) return [tag as RunPipeline, ...found.filter((p) => p !== tag)];
  return found;
}

function firstArchitecture(config: ModelConfig): string | null {
  const a = config.architectures;
  return Array.isArray(a) && typeof a[0] === 'string' ? a[0] : null;
}

function labelNames(config: ModelConfig): string[] {
  const l = config.label2id;
  return l && typeof l === 'object' ? Object.keys(l).map((k) => k.toLowerCase()) : [];
}

const fail = (reasonCode: RuntimeReasonCode, reason: string): Survey => ({ ok: false, reasonCode, reason });

async function readConfig(file: string, size: number): Promise<ModelConfig | null> {
  if (size > MAX_CONFIG_BYTES) return null;
  try {
    const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as ModelConfig) : null;
  } catch {
    return null;
  }
}

/** Repository paths (with `/`) → size, breadth-first and bounded; dot files and `.part` files left out. */
/** Repository-relative paths of the files in an installed folder (hidden and partial files left out) and their sizes. */
export async function listFiles(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let level = [''];
  let seen = 0;
  for (let depth = 0; depth <= MAX_DEPTH && level.length; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      let entries: Dirent[];
      try {
        entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (++seen > MAX_ENTRIES) return out;
        if (e.name.startsWith('.') || e.name.endsWith('.part')) continue;
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) next.push(child);
        else if (e.isFile()) {
          const st = await fs.stat(path.join(root, child)).catch(() => null);
          if (st) out.set(child, st.size);
        }
      }
    }
    level = next;
  }
  return out;
}
