import { createRequire } from 'node:module';
import path from 'node:path';
import type { TfBackendName } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';

export type TfPreference = 'auto' | TfBackendName;

const require = createRequire(import.meta.url);

/**
 * Selects the fastest TensorFlow.js backend that actually works here: tfjs-node (native libtensorflow) when it
 * loads, else WebAssembly, else pure JS. Importing tfjs-node throws when its native binding is missing (installed
 * with scripts skipped, or without internet), which is exactly the case that must fall through.
 */
export async function initTfBackend(pref: TfPreference = 'auto'): Promise<TfBackendName> {
  if (pref === 'auto' || pref === 'tensorflow') {
    try {
      await import('@tensorflow/tfjs-node' as string);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      // fall through to wasm
    }
  }
  if (pref === 'auto' || pref === 'wasm' || pref === 'tensorflow') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dist + path.sep);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

let probed: Promise<{ backend: TfBackendName; version: string }> | null = null;

/** The backend training would use, probed once per process. */
export function tfBackendInfo(pref: TfPreference = 'auto'): Promise<{ backend: TfBackendName; version: string }> {
  probed ??= initTfBackend(pref).then((backend) => ({ backend, version: tf.version.tfjs }));
  return probed;
}
