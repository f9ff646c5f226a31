import { z } from 'zod';
import { onnxVariantSchema, textPreparationSchema } from '../contracts/runtime.js';
import { FeatureError } from './errors.js';
import type { EmbeddingSpec, FittedEmbedding } from './types.js';

/** Longest embedding an encoder may give (hidden sizes of real encoders are 128–4096). */
export const MAX_EMBEDDING_DIM = 8192;

export const encoderRefSchema = z.object({
  repoId: z.string().min(1).max(200),
  revision: z.string().min(1).max(200).nullable(),
  variant: onnxVariantSchema,
  pooling: z.enum(['mean', 'cls']),
  normalize: z.boolean(),
  text: textPreparationSchema,
});

/** The embedding block of a spec or a features.json (its column is the text column). */
export const embeddingSpecSchema = z.object({
  dim: z.number().int().min(1).max(MAX_EMBEDDING_DIM),
  encoder: encoderRefSchema,
});

/** The row's embedding (the encoder's output in place of its text), checked against the block. */
export function embeddingOf(block: EmbeddingSpec, value: unknown): ArrayLike<number> {
  const v = value as ArrayLike<number> | null | undefined;
  if (v === null || v === undefined || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new FeatureError('EMBEDDING_MISSING', `"${block.column}" must hold its embedding (the encoder runs first), not ${typeof value}`);
  }
  if (v.length !== block.dim) {
    throw new FeatureError('EMBEDDING_MISSING', `the embedding of "${block.column}" has ${v.length} values, the model reads ${block.dim}`);
  }
  return v;
}

/** Writes the row's standardised embedding to out[offset ..). */
export function writeEmbedding(block: FittedEmbedding, value: unknown, out: Float32Array, offset: number): void {
  const v = embeddingOf(block, value);
  for (let i = 0; i < block.dim; i++) out[offset + i] = Number.isFinite(v[i]!) ? (v[i]! - block.mean[i]!) / block.std[i]! : 0;
}

/** Running mean and variance of every embedding value over the training rows (Welford). */
export class EmbeddingStats {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(private readonly block: EmbeddingSpec) {
    this.mean = new Float64Array(block.dim);
    this.m2 = new Float64Array(block.dim);
  }

  add(value: unknown): void {
    const v = embeddingOf(this.block, value);
    this.n++;
    for (let i = 0; i < this.block.dim; i++) {
      const x = Number.isFinite(v[i]!) ? v[i]! : 0;
      const d = x - this.mean[i]!;
      this.mean[i]! += d / this.n;
      this.m2[i]! += d * (x - this.mean[i]!);
    }
  }

  /**
   * Population deviations, as the number columns and scikit-learn's StandardScaler use; a value that never varies
   * keeps a deviation of 1 (it standardises to 0, not to a division by zero).
   */
  finish(): FittedEmbedding {
    const std = this.m2.map((m) => {
      const s = Math.sqrt(this.n > 0 ? m / this.n : 0);
      return s > 1e-12 ? s : 1;
    });
    return { ...this.block, mean: Float64Array.from(this.mean), std };
  }
}
