import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FixtureRepoSpec } from './fixtures.js';
import type { RepoMetaFile } from './repo-store.js';

/**
 * The runnable repositories: tiny real models in transformers.js' ONNX layout (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx), generated once by make-onnx-fixtures.py
 * (Debian's python3-torch and python3-onnx) and committed under onnx-fixtures/ (≈ 2 MB), so a fresh clone needs
 * no Python. Two negatives sit beside them: PyTorch weights only, and an ONNX file cut short.
 */
export const ONNX_FIXTURES_DIR = path.join(import.meta.dirname, 'onnx-fixtures');

export const RUNNABLE_REPO = {
  sentiment: 'sokhan-lab/bert-fa-tiny-sentiment',
  ner: 'sokhan-lab/bert-fa-tiny-ner',
  fillMask: 'sokhan-lab/bert-fa-tiny-mlm',
  encoder: 'sokhan-lab/bert-fa-tiny-encoder',
  nli: 'sokhan-lab/bert-fa-tiny-nli',
  voice: 'sokhan-lab/mms-tts-fa-tiny',
  pytorchOnly: 'sokhan-lab/bert-fa-pytorch-only',
  brokenOnnx: 'sokhan-lab/bert-fa-broken-onnx',
} as const;

const GITATTRIBUTES = ['*.bin filter=lfs diff=lfs merge=lfs -text', '*.onnx filter=lfs diff=lfs merge=lfs -text', '*.safetensors filter=lfs diff=lfs merge=lfs -text', ''].join('\n');

/** Every file of a generated repository, by its repository path. */
function readRepo(repoId: string): Record<string, Buffer> {
  const root = path.join(ONNX_FIXTURES_DIR, ...repoId.split('/'));
  const files: Record<string, Buffer> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else files[path.relative(root, abs).split(path.sep).join('/')] = readFileSync(abs);
    }
  };
  walk(root);
  return files;
}

function card(meta: RepoMetaFile, title: string, body: string): string {
  const front = [`license: ${meta.license ?? 'mit'}`, 'language:\n- fa', `library_name: ${meta.library_name ?? 'transformers.js'}`];
  if (meta.pipeline_tag) front.push(`pipeline_tag: ${meta.pipeline_tag}`);
  return `---\n${front.join('\n')}\n---\n\n# ${title}\n\n${body.trim()}\n`;
}

interface RunnableSpec {
  id: string;
  meta: RepoMetaFile;
  title: string;
  body: string;
}

const USAGE = (task: string, id: string, call: string) =>
  `\`\`\`js\nimport { pipeline } from '@huggingface/transformers';\nconst run = await pipeline('${task}', '${id}');\n${call}\n\`\`\``;

const META_BASE = { library_name: 'transformers.js', license: 'mit', language: ['fa'], createdAt: '2025-01-10T09:00:00.000Z', lastModified: '2025-02-01T09:00:00.000Z' };

const SPECS: RunnableSpec[] = [
  {
    id: RUNNABLE_REPO.sentiment,
    meta: { ...META_BASE, pipeline_tag: 'text-classification', tags: ['transformers.js', 'onnx', 'bert', 'sentiment', 'persian'], downloads: 410, likes: 6 },
    title: 'BERT کوچک فارسی — تحلیل احساسات',
    body: `نظرهای فارسی را به «منفی»، «خنثی» و «مثبت» دسته‌بندی می‌کند (BERT دولایه، ۳۲ بعد؛ برای آزمون).\n\n${USAGE('text-classification', RUNNABLE_REPO.sentiment, "await run('این فیلم خیلی عالی بود');")}`,
  },
  {
    id: RUNNABLE_REPO.ner,
    meta: { ...META_BASE, pipeline_tag: 'token-classification', tags: ['transformers.js', 'onnx', 'bert', 'ner', 'persian'], downloads: 320, likes: 4 },
    title: 'BERT کوچک فارسی — شناسایی موجودیت‌ها',
    body: `نام افراد (PER)، مکان‌ها (LOC) و سازمان‌ها (ORG) را با برچسب‌های B-/I- پیدا می‌کند.\n\n${USAGE('token-classification', RUNNABLE_REPO.ner, "await run('علی در تهران زندگی می‌کند');")}`,
  },
  {
    id: RUNNABLE_REPO.fillMask,
    meta: { ...META_BASE, pipeline_tag: 'fill-mask', tags: ['transformers.js', 'onnx', 'bert', 'persian'], downloads: 150, likes: 2 },
    title: 'BERT کوچک فارسی — پر کردن جای خالی',
    body: `واژهٔ جای [MASK] را پیشنهاد می‌کند.\n\n${USAGE('fill-mask', RUNNABLE_REPO.fillMask, "await run('این فیلم خیلی [MASK] بود');")}`,
  },
  {
    id: RUNNABLE_REPO.encoder,
    meta: { ...META_BASE, pipeline_tag: 'feature-extraction', tags: ['transformers.js', 'onnx', 'bert', 'sentence-similarity', 'persian'], downloads: 280, likes: 5 },
    title: 'BERT کوچک فارسی — بردار جمله',
    body: `بردار ۳۲ بعدی هر جمله (میانگین توکن‌ها)، برای جست‌وجوی معنایی یا پایهٔ یک دسته‌بند.\n\n${USAGE('feature-extraction', RUNNABLE_REPO.encoder, "await run('سلام دنیا', { pooling: 'mean', normalize: true });")}`,
  },
  {
    id: RUNNABLE_REPO.nli,
    meta: { ...META_BASE, pipeline_tag: 'zero-shot-classification', tags: ['transformers.js', 'onnx', 'bert', 'nli', 'persian'], downloads: 90, likes: 1 },
    title: 'BERT کوچک فارسی — استنتاج (NLI) و دسته‌بندی بدون نمونه',
    body: `برچسب‌های entailment / neutral / contradiction؛ با قالب «این متن درباره {} است» دسته‌بندی بدون نمونه می‌کند.\n\n${USAGE('zero-shot-classification', RUNNABLE_REPO.nli, "await run('فوتبال دیشب عالی بود', ['ورزش', 'غذا'], { hypothesis_template: 'این متن درباره {} است' });")}`,
  },
  {
    id: RUNNABLE_REPO.voice,
    meta: { ...META_BASE, pipeline_tag: 'text-to-speech', license: 'cc-by-nc-4.0', tags: ['transformers.js', 'onnx', 'vits', 'mms', 'persian'], downloads: 200, likes: 3 },
    title: 'MMS-TTS کوچک فارسی (ساختار VITS)',
    body: `ورودی input_ids و attention_mask، خروجی waveform با نرخ ۱۶ کیلوهرتز؛ هر حرف یک آوای کوتاه (برای آزمون، نه گفتار واقعی).\n\n${USAGE('text-to-speech', RUNNABLE_REPO.voice, "const { audio, sampling_rate } = await run('سلام دنیا');")}`,
  },
  {
    id: RUNNABLE_REPO.pytorchOnly,
    meta: { ...META_BASE, library_name: 'transformers', pipeline_tag: 'text-classification', tags: ['transformers', 'pytorch', 'bert', 'persian'], downloads: 75, likes: 1 },
    title: 'BERT کوچک فارسی (فقط وزن‌های PyTorch)',
    body: 'همان دسته‌بند احساسات، فقط با pytorch_model.bin و بدون پوشهٔ onnx/.',
  },
  {
    id: RUNNABLE_REPO.brokenOnnx,
    meta: { ...META_BASE, pipeline_tag: 'text-classification', tags: ['transformers.js', 'onnx', 'bert', 'persian'], downloads: 12, likes: 0 },
    title: 'BERT کوچک فارسی (پروندهٔ ONNX ناقص)',
    body: 'onnx/model.onnx این مخزن نیمه‌کاره بارگذاری شده است و اجرا نمی‌شود.',
  },
];

/** The runnable repositories and the two negatives, as fixture specs (README, .gitattributes and metadata added). */
export function runnableFixtureSpecs(): FixtureRepoSpec[] {
  return SPECS.map((spec) => {
    const generated =
      spec.id === RUNNABLE_REPO.brokenOnnx ? brokenCopy(readRepo(RUNNABLE_REPO.sentiment)) : readRepo(spec.id);
    return {
      id: spec.id,
      meta: spec.meta,
      files: { '.gitattributes': GITATTRIBUTES, 'README.md': card(spec.meta, spec.title, spec.body), ...generated },
    };
  });
}

/** The sentiment repository with its ONNX file cut to its first half, as an interrupted upload leaves it. */
function brokenCopy(files: Record<string, Buffer>): Record<string, Buffer> {
  const onnx = files['onnx/model.onnx'];
  if (!onnx) throw new Error('the sentiment fixture has no onnx/model.onnx');
  const { 'onnx/model_quantized.onnx': _quantized, ...rest } = files;
  return { ...rest, 'onnx/model.onnx': onnx.subarray(0, Math.floor(onnx.length / 2)) };
}
