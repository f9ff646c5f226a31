import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initTfBackend, tfBackendInfo } from './tf-backend.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-tfnode-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

/** A project folder whose node_modules holds a tfjs-node installed with scripts skipped: no native binding. */
async function brokenTfjsNode(): Promise<string> {
  const project = path.join(tmp, 'broken');
  const pkg = path.join(project, 'node_modules', '@tensorflow', 'tfjs-node');
  await fs.mkdir(path.join(pkg, 'dist'), { recursive: true });
  await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'dist/index.js' }));
  // The real package resolves lib/napi-v<N>/tfjs_binding.node and requires it; the install script downloads it.
  await fs.writeFile(path.join(pkg, 'dist', 'index.js'), "module.exports = require('../lib/napi-v8/tfjs_binding.node');\n");
  await fs.writeFile(path.join(project, 'package.json'), '{"name":"p","private":true}');
  return path.join(project, 'index.js');
}

describe('TensorFlow.js backend selection', () => {
  it('falls back to wasm when tfjs-node is present but its binding is missing, and says why', async () => {
    const skipped: string[] = [];
    const backend = await initTfBackend('auto', { resolveFrom: await brokenTfjsNode(), onSkip: (b, r) => skipped.push(`${b}: ${r}`) });
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^tensorflow: @tensorflow\/tfjs-node is installed but does not load: .*tfjs_binding\.node/);
  });

  it('falls back when tfjs-node is absent, and honours an explicit cpu preference', async () => {
    const empty = path.join(tmp, 'empty', 'index.js');
    await fs.mkdir(path.dirname(empty), { recursive: true });
    const skipped: string[] = [];
    expect(await initTfBackend('tensorflow', { resolveFrom: empty, onSkip: (b, r) => skipped.push(`${b}: ${r}`) })).toBe('wasm');
    expect(skipped).toEqual(['tensorflow: @tensorflow/tfjs-node is not installed']);
    expect(await initTfBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // The chosen backend computes.
    expect(Array.from(await tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1)).data())).toEqual([2, 3]);
  });

  it('does not keep a failed probe: the next call probes again', async () => {
    const empty = path.join(tmp, 'empty-again', 'index.js');
    await fs.mkdir(path.dirname(empty), { recursive: true });
    const failing = () => {
      throw new Error('probe failed');
    };
    await expect(tfBackendInfo('tensorflow', { resolveFrom: empty, onSkip: failing })).rejects.toThrow('probe failed');
    await expect(tfBackendInfo('cpu')).resolves.toMatchObject({ backend: 'cpu', version: tf.version.tfjs });
  });
});
