import { describe, expect, it } from 'vitest';
import { FeatureError } from './errors.js';
import { fitFeatureExtractor } from './fit.js';
import { deserializeFeatures, serializeFeatures } from './serialize.js';
import { inputColumns, transformRow, transformRows } from './transform.js';
import type { EncoderRef } from './types.js';

const encoder: EncoderRef = {
  repoId: 'sokhan-lab/bert-fa-tiny-encoder',
  revision: 'abc123',
  variant: 'fp32',
  pooling: 'mean',
  normalize: true,
  text: { persian: true, digits: 'latin', keepDiacritics: false },
};

// The text column holds each row's embedding once the encoder has run.
const rows = [
  { text: Float32Array.of(1, 10, 5), price: 2, label: 'a' },
  { text: Float32Array.of(3, 10, 7), price: 4, label: 'b' },
  { text: [5, 10, 9], price: 6, label: 'a' },
];
const spec = {
  task: 'text-classification' as const,
  textColumn: 'text',
  labelColumn: 'label',
  featureColumns: [{ name: 'price', kind: 'number' as const }],
  embedding: { dim: 3, encoder },
};

describe('an embedding block', () => {
  const fitted = fitFeatureExtractor(rows, spec);

  it('replaces the n-gram block: the embedding first, standardised with the training rows, then the columns', () => {
    expect(fitted.text).toBeNull();
    expect(fitted.dim).toBe(4);
    expect(fitted.columns[0]).toMatchObject({ name: 'price', offset: 3 });
    expect(Array.from(fitted.embedding!.mean)).toEqual([3, 10, 7]);
    // Population deviations as the number column's; the constant value keeps 1 so it standardises to 0, not to NaN.
    const sd = Math.sqrt(8 / 3);
    expect(Array.from(fitted.embedding!.std)).toEqual([sd, 1, sd]);
    const z = -2 / sd;
    Array.from(transformRow(fitted, rows[0]!)).forEach((v, i) => expect(v).toBeCloseTo([z, 0, z, z][i]!, 6));
    expect(inputColumns(fitted)).toEqual([{ name: 'text', kind: 'text' }, { name: 'price', kind: 'number' }]);
  });

  it('survives features.json with the encoder that made it, and transforms the same after', () => {
    const json = JSON.parse(JSON.stringify(serializeFeatures(fitted))) as Record<string, unknown>;
    expect(json.embedding).toMatchObject({ column: 'text', dim: 3, encoder, mean: [3, 10, 7], std: [Math.sqrt(8 / 3), 1, Math.sqrt(8 / 3)] });
    const back = deserializeFeatures(json);
    expect(back.embedding?.encoder).toEqual(encoder);
    expect(Array.from(transformRows(back, rows).x)).toEqual(Array.from(transformRows(fitted, rows).x));
  });

  it('refuses a row whose text was not embedded, or embedded to another length', () => {
    const fail = (text: unknown) => {
      try {
        transformRow(fitted, { text, price: 1 });
      } catch (err) {
        return err;
      }
      return null;
    };
    expect(fail('یک متن')).toMatchObject({ code: 'EMBEDDING_MISSING' });
    expect(fail([1, 2])).toMatchObject({ code: 'EMBEDDING_MISSING', message: expect.stringContaining('2 values, the model reads 3') });
    expect(fail(null)).toBeInstanceOf(FeatureError);
  });

  it('refuses a features.json with both a text block and an embedding, or statistics of the wrong length', () => {
    const json = serializeFeatures(fitted);
    const text = serializeFeatures(fitFeatureExtractor([{ t: 'الف', label: 'a' }, { t: 'ب', label: 'b' }], { task: 'text-classification', textColumn: 't', labelColumn: 'label', buckets: 16 })).text;
    expect(() => deserializeFeatures({ ...json, text })).toThrow(/cannot both read the text/);
    expect(() => deserializeFeatures({ ...json, embedding: { ...json.embedding!, std: [1, 1] } })).toThrow(/one mean and one deviation/);
  });

  it('cannot be read as sparse n-grams', async () => {
    const { SparseEncoder } = await import('./sparse.js');
    expect(() => new SparseEncoder(fitted)).toThrow(/read densely/);
  });
});
