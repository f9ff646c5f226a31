import { ONNX_VARIANT_SUFFIX, type FeatureRow, type FittedFeatures, type TrainedModelEncoder } from '@sokhan/common';

/**
 * Where transformers.js fetches an encoder's files from: only this server, never the Hub. transformers.js builds a
 * file's address as remoteHost + remotePathTemplate (with {model} filled in) + the file's repository path; with the
 * trained model's id as the "model" that is GET /api/models/<id>/encoder/<path>, which serves the encoder the model
 * was trained on to its owner. (The Hub revision plays no part: the server knows which copy the model reads.)
 */
export const ENCODER_PATH_TEMPLATE = '{model}/encoder/';

/** The fields of transformers.js' `env` this module sets (its own type is wider). */
export interface EncoderSourceEnv {
  allowLocalModels: boolean;
  allowRemoteModels: boolean;
  remoteHost: string;
  remotePathTemplate: string;
  useBrowserCache: boolean;
  useFSCache: boolean;
  useCustomCache: boolean;
  useWasmCache: boolean;
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
}

export interface EncoderSource {
  /** Absolute address of /api/models/ on this server (the API client's base resolved against the page). */
  apiRoot: string;
  /** Read on every request, so a renewed token is used. */
  authHeaders: () => Record<string, string>;
  fetchImpl?: typeof fetch;
}

/**
 * Points transformers.js at GET /api/models/:id/encoder/<path> with the bearer token, and turns off the local
 * lookup and every cache (the browser Cache API would keep a private model's files after sign-out). Any other
 * address is refused, so a file the library would look for elsewhere fails here instead of leaving the server.
 */
export function configureEncoderSource(env: EncoderSourceEnv, source: EncoderSource): void {
  const root = source.apiRoot.endsWith('/') ? source.apiRoot : `${source.apiRoot}/`;
  const send = source.fetchImpl ?? globalThis.fetch.bind(globalThis);
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = root;
  env.remotePathTemplate = ENCODER_PATH_TEMPLATE;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.useCustomCache = false;
  env.useWasmCache = false;
  env.fetch = (input, init) => {
    const url = input instanceof URL ? input.href : input;
    if (!url.startsWith(root)) return Promise.reject(new Error(`an encoder loads only from this server, not from ${url}`));
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(source.authHeaders())) headers.set(name, value);
    return send(url, { ...init, headers });
  };
}

/** External weight files of the encoder's ONNX file (`onnx/model.onnx_data`, `_data_1` …): transformers.js is told how many. */
export function externalDataChunks(encoder: Pick<TrainedModelEncoder, 'variant' | 'files'>): number {
  const onnx = `onnx/model${ONNX_VARIANT_SUFFIX[encoder.variant]}.onnx_data`;
  return encoder.files.filter((f) => f === onnx || f.startsWith(`${onnx}_`)).length;
}

/** The row the features read: the text column holds the encoder's embedding of the text, as the server's rows do. */
export function withEmbedding(features: FittedFeatures, row: FeatureRow, vector: Float32Array): FeatureRow {
  const block = features.embedding;
  if (!block) throw new Error('this model reads no embedding');
  if (vector.length !== block.dim) throw new Error(`the encoder gave ${vector.length} values, the model reads ${block.dim}`);
  return { ...row, [block.column]: vector };
}
