import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TfBackendName } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';

export type TfPreference = 'auto' | TfBackendName;

export interface TfInitOptions {
  /** A file or folder URL/path to resolve @tensorflow/tfjs-node from (default: this package). */
  resolveFrom?: string;
  /** Told why a faster backend was passed over (absent package, missing native binding, …). */
  onSkip?: (backend: TfBackendName, reason: string) => void;
}

const message = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

/**
 * Loads @tensorflow/tfjs-node, which registers the 'tensorflow' backend on the shared tfjs engine. Absent is
 * normal (an optional dependency whose install needs internet); present-but-broken (installed with scripts
 * skipped, so its native binding is missing) throws on import, and both fall through to the next backend.
 */
async function loadTfjsNode(from: string, onSkip: TfInitOptions['onSkip']): Promise<boolean> {
  let entry: string;
  try {
    entry = createRequire(from).resolve('@tensorflow/tfjs-node');
  } catch {
    onSkip?.('tensorflow', '@tensorflow/tfjs-node is not installed');
    return false;
  }
  try {
    await import(pathToFileURL(entry).href);
  } catch (err) {
    onSkip?.('tensorflow', `@tensorflow/tfjs-node is installed but does not load: ${message(err)}`);
    return false;
  }
  if (!tf.findBackend('tensorflow')) {
    onSkip?.('tensorflow', '@tensorflow/tfjs-node loaded but registered no backend');
    return false;
  }
  return tf.setBackend('tensorflow');
}

async function loadWasm(onSkip: TfInitOptions['onSkip']): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    await tf.ready();
    return true;
  } catch (err) {
    onSkip?.('wasm', message(err));
    return false;
  }
}

/**
 * Selects the fastest TensorFlow.js backend that actually works here: tfjs-node (native libtensorflow) when it
 * loads, else WebAssembly (single-threaded in Node), else pure JS. A preference names where to start.
 */
export async function initTfBackend(pref: TfPreference = 'auto', opts: TfInitOptions = {}): Promise<TfBackendName> {
  // Production mode skips per-op debug checks and the console advert for tfjs-node.
  tf.enableProdMode();
  if (pref === 'auto' || pref === 'tensorflow') {
    if (await loadTfjsNode(opts.resolveFrom ?? import.meta.url, opts.onSkip)) return 'tensorflow';
  }
  if (pref !== 'cpu' && (await loadWasm(opts.onSkip))) return 'wasm';
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

let probed: Promise<{ backend: TfBackendName; version: string }> | null = null;

/** The backend this process uses, initialised once (the first preference wins); a failed probe is tried again next call. */
export function tfBackendInfo(pref: TfPreference = 'auto', opts: TfInitOptions = {}): Promise<{ backend: TfBackendName; version: string }> {
  if (!probed) {
    const attempt = initTfBackend(pref, opts).then((backend) => ({ backend, version: tf.version.tfjs }));
    probed = attempt;
    attempt.catch(() => {
      if (probed === attempt) probed = null;
    });
  }
  return probed;
}
