// @vitest-environment node
// transformers.js itself (its Node build: the same address building and fetch path as the browser's) against a
// real HTTP server that serves the hub mirror's fixture encoder as GET /api/models/:id/encoder/<path> does.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline } from '@huggingface/transformers';
import { deserializeFeatures, fitFeatureExtractor, serializeFeatures, transformRow, type EncoderRef } from '@sokhan/common';
import { configureEncoderSource, externalDataChunks, withEmbedding } from './encoder-source';

const ENCODER_DIR = path.join(import.meta.dirname, '../../../../scripts/hub-mirror/onnx-fixtures/sokhan-lab/bert-fa-tiny-encoder');
const MODEL_ID = '5b0e7a2c-3f1d-4c6b-9a8e-7d2f1c0b4a99';
const TOKEN = 'Bearer test-token';

interface Seen {
  path: string;
  auth: string | undefined;
  status: number;
}

let server: Server;
let apiRoot = '';
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = `/api/models/${MODEL_ID}/encoder/`;
    const rel = url.pathname.startsWith(prefix) ? decodeURIComponent(url.pathname.slice(prefix.length)) : null;
    const file = rel && !rel.includes('..') ? path.join(ENCODER_DIR, rel) : null;
    const status = req.headers.authorization !== TOKEN ? 401 : file && existsSync(file) ? 200 : 404;
    seen.push({ path: url.pathname, auth: req.headers.authorization, status });
    res.writeHead(status, { 'content-type': 'application/octet-stream' });
    res.end(status === 200 && file ? readFileSync(file) : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/models/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (env.cacheDir) rmSync(env.cacheDir, { recursive: true, force: true });
});

describe('configureEncoderSource', () => {
  it('has transformers.js fetch every encoder file from /api/models/:id/encoder/<path> with the bearer token', async () => {
    configureEncoderSource(env, { apiRoot, authHeaders: () => ({ Authorization: TOKEN }) });
    // Node only: its ONNX runtime opens the model by path, so a fetched file must land on disk (the browser reads bytes).
    env.useFSCache = true;
    env.cacheDir = mkdtempSync(path.join(tmpdir(), 'sokhan-encoder-cache-'));
    const extractor = await pipeline('feature-extraction', MODEL_ID, { dtype: 'fp32', device: 'cpu' });
    const out = await extractor('این فیلم خیلی خوب بود', { pooling: 'mean', normalize: true });
    expect(out.dims).toEqual([1, 32]);
    const norm = Math.hypot(...(out.data as Float32Array));
    expect(norm).toBeCloseTo(1, 5);
    await extractor.dispose();

    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(s.path.startsWith(`/api/models/${MODEL_ID}/encoder/`), s.path).toBe(true);
      expect(s.auth).toBe(TOKEN);
    }
    // What the browser loads of the encoder: the server lists these (and only files it has) as `encoder.files`.
    const fetched = seen.map((s) => `${s.status} ${s.path.slice(`/api/models/${MODEL_ID}/encoder/`.length)}`);
    expect(new Set(fetched)).toEqual(new Set(['200 config.json', '200 tokenizer.json', '200 tokenizer_config.json', '200 onnx/model.onnx']));
  });

  it('refuses any address outside this server, so nothing reaches the Hub', async () => {
    configureEncoderSource(env, { apiRoot, authHeaders: () => ({ Authorization: TOKEN }) });
    await expect(env.fetch('https://huggingface.co/sokhan-lab/x/resolve/main/config.json')).rejects.toThrow(/only from this server/);
    expect(env.remoteHost).toBe(apiRoot);
    expect(env.allowLocalModels).toBe(false);
    expect(env.useBrowserCache).toBe(false);
  });
});

describe('externalDataChunks', () => {
  it('counts the external weight files of the variant used, and no other', () => {
    expect(externalDataChunks({ variant: 'fp32', files: ['onnx/model.onnx', 'config.json'] })).toBe(0);
    expect(externalDataChunks({ variant: 'fp32', files: ['onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model.onnx_data_1', 'onnx/model_quantized.onnx_data'] })).toBe(2);
    expect(externalDataChunks({ variant: 'q8', files: ['onnx/model_quantized.onnx', 'onnx/model_quantized.onnx_data', 'onnx/model.onnx_data'] })).toBe(1);
  });
});

describe('withEmbedding', () => {
  const encoder: EncoderRef = {
    repoId: 'sokhan-lab/bert-fa-tiny-encoder',
    revision: null,
    variant: 'fp32',
    pooling: 'mean',
    normalize: true,
    text: { persian: true, digits: 'latin', keepDiacritics: false },
  };
  // Training rows hold their embedding under the text column (the encoder ran first).
  const rows = [
    { متن: [0, 0, 0, 0], برچسب: 'مثبت' },
    { متن: [2, 4, 0, 1], برچسب: 'منفی' },
  ];
  const fitted = deserializeFeatures(
    serializeFeatures(fitFeatureExtractor(rows, { task: 'text-classification', textColumn: 'متن', labelColumn: 'برچسب', embedding: { dim: 4, encoder } })),
  );

  it('puts the vector under the text column, where the features read it (standardised) as positions 0 … dim', () => {
    const vector = Float32Array.from([0.5, -0.25, 0, 1]);
    const block = fitted.embedding!;
    const out = Array.from(transformRow(fitted, withEmbedding(fitted, { متن: 'خوب' }, vector)));
    expect(out).toHaveLength(4);
    out.forEach((v, i) => expect(v).toBeCloseTo((vector[i]! - block.mean[i]!) / block.std[i]!, 6));
    // Exactly what a server row holding the vector (training, predict) gives.
    expect(out).toEqual(Array.from(transformRow(fitted, { متن: Array.from(vector) })));
    expect(Array.from(block.mean)).toEqual([1, 2, 0, 0.5]);
  });

  it('refuses a vector of another length', () => {
    expect(() => withEmbedding(fitted, { متن: 'خوب' }, new Float32Array(3))).toThrow(/gave 3 values, the model reads 4/);
  });
});

describe('the WebAssembly runtime the build ships', () => {
  it('is the onnxruntime-web transformers.js runs on (its .wasm must match that JavaScript exactly)', () => {
    const require = createRequire(import.meta.url);
    const packageOf = (entry: string) => {
      let dir = path.dirname(require.resolve(entry));
      while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
      return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
    };
    const frontend = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const wanted = packageOf('@huggingface/transformers').dependencies?.['onnxruntime-web'];
    expect(frontend.dependencies['onnxruntime-web']).toBe(wanted);
    expect(packageOf('onnxruntime-web').version).toBe(wanted);
  });
});
