import { cosineSimilarity, prepareText, textPreparationFor, type RunPipeline, type RunRequestInput } from '@sokhan/common';
import { encodeWav } from '../tts/wav.js';
import type { LoadSpec, ProbeResult, RunBody, RunJob } from './runtime-protocol.js';
import { residentKey } from './runtime-protocol.js';
import { SessionCache } from './session-cache.js';
import { alignTokens, groupEntities, tokenSurface, type LabelledToken } from './token-spans.js';

/** The parts of transformers.js this file uses (its own typings are per pipeline and far wider). */
export interface Transformers {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string; useFSCache: boolean; useBrowserCache: boolean; useWasmCache: boolean; fetch: unknown; logLevel: number };
  pipeline(task: string, model: string, options: Record<string, unknown>): Promise<unknown>;
  TextClassificationPipeline: PipelineClass;
  ZeroShotClassificationPipeline: PipelineClass;
}
type PipelineClass = new (args: { task: string; model: unknown; tokenizer: unknown }) => unknown;

interface Tokenizer {
  mask_token?: string | null;
  get_vocab(): Map<string, number>;
}
interface Pipeline {
  (...args: unknown[]): Promise<unknown>;
  model: { config: Record<string, unknown>; dispose(): Promise<unknown> };
  tokenizer: Tokenizer;
}

/** One loaded model and the pipelines built over it (a sequence classifier serves text- and zero-shot classification). */
interface Loaded {
  pipelines: Map<RunPipeline, Pipeline>;
  any: Pipeline;
}

/** Pipelines that can share one loaded model (the same model class). */
const SHARED: RunPipeline[] = ['text-classification', 'zero-shot-classification'];

export class ModelRunner {
  private readonly cache: SessionCache<Loaded>;

  constructor(
    private readonly tjs: Transformers,
    private readonly opts: { budgetBytes: number; intraOpThreads: number },
  ) {
    this.cache = new SessionCache<Loaded>(opts.budgetBytes, async (l) => {
      await l.any.model.dispose();
    });
  }

  /** Frees every loaded model. */
  close(): Promise<void> {
    return this.cache.clear();
  }

  resident(): string[] {
    return this.cache.keys();
  }

  /** Loads the model once (what a run does), reads what the inspection needs, and lets it go. */
  async probe(spec: LoadSpec): Promise<ProbeResult> {
    const p = await this.load(spec);
    try {
      return { text: textPreparationFor(p.tokenizer.get_vocab().keys()), maskToken: p.tokenizer.mask_token ?? null };
    } finally {
      await p.model.dispose();
    }
  }

  /** Loads (or reuses) the model; errors thrown here are load errors, the `run` step's are run errors. */
  async loadFor(job: RunJob): Promise<{ pipe: Pipeline; cached: boolean; loadMs: number }> {
    const started = performance.now();
    const { value, cached } = await this.cache.get(residentKey(job), job.sizeBytes, async () => {
      const pipe = await this.load(job);
      return { pipelines: new Map([[job.pipeline, pipe]]), any: pipe };
    });
    let pipe = value.pipelines.get(job.pipeline);
    if (!pipe) {
      if (!SHARED.includes(job.pipeline)) throw new Error(`this model is loaded for another pipeline than ${job.pipeline}`);
      const Class = job.pipeline === 'zero-shot-classification' ? this.tjs.ZeroShotClassificationPipeline : this.tjs.TextClassificationPipeline;
      pipe = new Class({ task: job.pipeline, model: value.any.model, tokenizer: value.any.tokenizer }) as Pipeline;
      value.pipelines.set(job.pipeline, pipe);
    }
    return { pipe, cached, loadMs: cached ? 0 : performance.now() - started };
  }

  async run(job: RunJob, pipe: Pipeline): Promise<RunBody> {
    const prep = (t: string, keep: string | null = null) => prepareText(t, job.text, keep);
    const normalized = job.text.persian;
    const r: RunRequestInput = job.request;
    switch (r.pipeline) {
      case 'text-classification': {
        const texts = (Array.isArray(r.inputs) ? r.inputs : [r.inputs]).map((t) => prep(t));
        const labels = Object.keys((pipe.model.config.id2label as Record<string, string> | undefined) ?? {}).length || 2;
        const out = (await pipe(texts, { top_k: labels })) as LabelScoreOut[] | LabelScoreOut[][];
        const rows = out.map((row) => (Array.isArray(row) ? row : [row]));
        return {
          pipeline: r.pipeline,
          normalized,
          multiLabel: pipe.model.config.problem_type === 'multi_label_classification',
          results: texts.map((text, i) => ({ text, labels: (rows[i] ?? []).map((l) => ({ label: String(l.label), score: l.score })) })),
        };
      }
      case 'token-classification': {
        const text = prep(r.inputs);
        const all = (await pipe(text, { ignore_labels: [] })) as { entity: string; score: number; index: number; word: string }[];
        const spans = alignTokens(text, all.map((t) => tokenSurface(t.word)));
        const ignore = new Set(r.ignoreLabels);
        const kept = all.map((t, i) => ({ ...t, span: spans[i] ?? null })).filter((t) => !ignore.has(t.entity));
        const labelled: LabelledToken[] = kept.map((t) => ({ label: t.entity, score: t.score, span: t.span }));
        return {
          pipeline: r.pipeline,
          normalized,
          text,
          entities: groupEntities(text, labelled, (a, b) => kept[b]!.index === kept[a]!.index + 1),
          tokens: kept.map((t) => ({ index: t.index, token: t.word, label: t.entity, score: t.score, start: t.span?.start ?? null, end: t.span?.end ?? null })),
        };
      }
      case 'feature-extraction': {
        const texts = (Array.isArray(r.inputs) ? r.inputs : [r.inputs]).map((t) => prep(t));
        const tensor = (await pipe(texts, { pooling: r.pooling, normalize: r.normalize })) as { dims: number[]; tolist(): number[][] };
        const embeddings = tensor.tolist();
        return {
          pipeline: r.pipeline,
          normalized,
          texts,
          dimensions: tensor.dims[tensor.dims.length - 1] ?? 0,
          pooling: r.pooling,
          unitLength: r.normalize,
          embeddings,
          similarities: embeddings.map((e) => cosineSimilarity(embeddings[0]!, e)),
        };
      }
      case 'fill-mask': {
        const mask = pipe.tokenizer.mask_token ?? '';
        const text = prep(r.inputs, mask);
        const out = (await pipe(text, { top_k: r.topK })) as { score: number; token: number; token_str: string; sequence: string }[];
        return {
          pipeline: r.pipeline,
          normalized,
          text,
          maskToken: mask,
          predictions: out.map((p) => ({ token: Number(p.token), tokenStr: p.token_str, score: p.score, sequence: p.sequence })),
        };
      }
      case 'zero-shot-classification': {
        const text = prep(r.inputs);
        const candidates = r.candidateLabels.map((l) => prep(l));
        const out = (await pipe(text, candidates, { hypothesis_template: prep(r.hypothesisTemplate, '{}'), multi_label: r.multiLabel })) as { labels: string[]; scores: number[] };
        // Back to the labels as the request wrote them (two may read the same once normalised: each is used once).
        const unused = candidates.map((c, i) => ({ c, i }));
        const labels = out.labels.map((l, k) => {
          const at = unused.findIndex((u) => u.c === l);
          const [hit] = unused.splice(at < 0 ? 0 : at, 1);
          return { label: r.candidateLabels[hit?.i ?? 0] ?? l, score: out.scores[k] ?? 0 };
        });
        return { pipeline: r.pipeline, normalized, text, multiLabel: r.multiLabel || r.candidateLabels.length === 1, labels };
      }
      case 'text-to-speech': {
        const text = prep(r.inputs);
        const out = (await pipe(text)) as { audio: Float32Array; sampling_rate: number };
        const pcm = floatToPcm16(out.audio);
        return {
          pipeline: r.pipeline,
          normalized,
          text,
          samplingRate: out.sampling_rate,
          samples: pcm.length,
          durationSeconds: pcm.length / out.sampling_rate,
          wavBase64: encodeWav(pcm, out.sampling_rate).toString('base64'),
        };
      }
    }
  }

  private async load(spec: LoadSpec): Promise<Pipeline> {
    return (await this.tjs.pipeline(spec.pipeline, spec.folder, {
      dtype: spec.variant,
      device: 'cpu',
      local_files_only: true,
      use_external_data_format: spec.externalData,
      session_options: { intraOpNumThreads: this.opts.intraOpThreads, interOpNumThreads: 1 },
    })) as Pipeline;
  }
}

interface LabelScoreOut {
  label: string;
  score: number;
}

/** VITS/MMS waveforms are floats in [-1, 1]: scaled to 16-bit as they are (clipped), not loudness-normalised. */
function floatToPcm16(audio: Float32Array): Int16Array {
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) {
    const v = Math.round(audio[i]! * 32767);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
