/**
 * A trained model's encoder in the browser: transformers.js on onnxruntime-web (WebAssembly), loaded only by the
 * playground for models on an encoder. It embeds a text exactly as the server's training and predict do — the
 * same ONNX file (variant), prepareText, pooling and normalisation — so the head gets the vector it was trained on.
 */
import { env, LogLevel, pipeline } from '@huggingface/transformers';
// The runtime's WebAssembly binary, emitted by our own build and served from /assets: never a CDN (transformers.js'
// default) — an install without internet must run it, and the page may load nothing from elsewhere.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { prepareText, type TrainedModelEncoder } from '@sokhan/common';
import { configureEncoderSource, externalDataChunks, type EncoderSource } from './encoder-source';

const wasm = env.backends.onnx.wasm;
if (wasm) {
  wasm.wasmPaths = { wasm: new URL(ortWasmUrl, window.location.href).href };
  // Threads need cross-origin isolation (SharedArrayBuffer), which this app does not ask for.
  wasm.numThreads = 1;
  wasm.proxy = false;
}
env.logLevel = LogLevel.ERROR;

export interface EncoderFileProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface LoadedEncoder {
  repoId: string;
  dim: number;
  loadMs: number;
  /** The text's embedding (pooled, normalised when the encoder is) and the time the encoder took. */
  embed(text: string): Promise<{ vector: Float32Array; ms: number }>;
  dispose(): Promise<void>;
}

/**
 * Fetches the encoder of trained model `modelId` from GET /api/models/:id/encoder/<path> and starts it on
 * WebAssembly, then embeds one text so the first real prediction is not the one that compiles.
 */
export async function loadEncoder(
  modelId: string,
  encoder: TrainedModelEncoder,
  source: EncoderSource,
  onFile?: (progress: EncoderFileProgress) => void,
): Promise<LoadedEncoder> {
  const started = performance.now();
  configureEncoderSource(env, source);
  const extractor = await pipeline('feature-extraction', modelId, {
    dtype: encoder.variant,
    device: 'wasm',
    use_external_data_format: externalDataChunks(encoder),
    progress_callback: (p) => {
      if (p.status === 'progress') onFile?.({ file: p.file, loaded: p.loaded, total: p.total });
    },
  });
  const embed = async (text: string) => {
    const t0 = performance.now();
    const out = await extractor(prepareText(text, encoder.text), { pooling: encoder.pooling, normalize: encoder.normalize });
    const vector = Float32Array.from(out.data as Float32Array);
    out.dispose();
    if (vector.length !== encoder.dim) throw new Error(`the encoder gave ${vector.length} values, the model reads ${encoder.dim}`);
    return { vector, ms: performance.now() - t0 };
  };
  try {
    await embed('.');
  } catch (err) {
    await extractor.dispose();
    throw err;
  }
  return { repoId: encoder.repoId, dim: encoder.dim, loadMs: performance.now() - started, embed, dispose: () => extractor.dispose() };
}
