/**
 * TensorFlow.js in the browser, loaded only by the playground (it is large). Backends are tried in the order
 * the product promises: WebGL, then WebAssembly, then plain JavaScript on the CPU.
 */
import { modelFeatureInput, type ModelFeatureInput, type ModelInputArrays } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type BrowserBackend = 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BrowserBackend[] = ['webgl', 'wasm', 'cpu'];

// The wasm binaries are bundled as assets and served from /assets like the rest of the app.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});
tf.env().set('PROD', true);

function webglAvailable(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** Tries each backend in order and keeps the first that initialises; returns it and the ones that failed. */
export async function pickBackend(order: readonly BrowserBackend[] = BACKEND_ORDER): Promise<{ backend: BrowserBackend; skipped: BrowserBackend[] }> {
  const skipped: BrowserBackend[] = [];
  for (const name of order) {
    if (name === 'webgl' && !webglAvailable()) {
      skipped.push(name);
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // A backend can register yet fail on first use (a lost GL context): one tiny op proves it works.
        const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
        await probe.data();
        probe.dispose();
        return { backend: name, skipped };
      }
    } catch {
      // fall through to the next backend
    }
    skipped.push(name);
  }
  throw new Error('no TensorFlow.js backend could start');
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** Sparse models read [ids, weights] (model.json's metadata says which); dense ones rows × inputDim. */
  input: ModelFeatureInput;
  inputDim: number;
  outputDim: number;
  backend: BrowserBackend;
  loadMs: number;
  dispose(): void;
}

/** Loads model.json and its weights over HTTP with the bearer token, then runs one warm-up prediction. */
export async function loadModel(modelJsonUrl: string, headers: Record<string, string>, backend: BrowserBackend): Promise<LoadedModel> {
  const started = performance.now();
  const model = await tf.loadLayersModel(tf.io.http(modelJsonUrl, { requestInit: { headers } }));
  const input = modelFeatureInput(model.getUserDefinedMetadata());
  const inputShape = model.inputs[0]?.shape ?? [];
  const outputShape = model.outputs[0]?.shape ?? [];
  const inputDim = Number(inputShape[inputShape.length - 1] ?? 0);
  const outputDim = Number(outputShape[outputShape.length - 1] ?? 1);
  // The first call compiles kernels (shaders on WebGL); doing it now keeps the measured inference honest.
  const warm = tf.tidy(() => model.predict(input.input === 'sparse' ? [tf.zeros([1, 1], 'int32'), tf.zeros([1, 1])] : tf.zeros([1, inputDim])) as tf.Tensor);
  await warm.data();
  warm.dispose();
  return { model, input, inputDim, outputDim, backend, loadMs: performance.now() - started, dispose: () => model.dispose() };
}

/** One forward pass; the time covers tensor upload, the network and reading the result back. */
export async function predict(loaded: LoadedModel, inputs: ModelInputArrays): Promise<{ output: Float32Array; ms: number }> {
  const started = performance.now();
  const out = tf.tidy(
    () => loaded.model.predict(inputs.kind === 'sparse' ? [tf.tensor2d(inputs.ids, inputs.shape, 'int32'), tf.tensor2d(inputs.weights, inputs.shape)] : tf.tensor2d(inputs.x, inputs.shape)) as tf.Tensor,
  );
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return { output: Float32Array.from(data), ms: performance.now() - started };
}

export function tensorCount(): number {
  return tf.memory().numTensors;
}
