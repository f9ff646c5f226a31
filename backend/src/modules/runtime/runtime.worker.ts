import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ModelRunner } from './model-runner.js';
import { localTransformers } from './transformers-env.js';
import type { RunOutput, WorkerRequest, WorkerResponse } from './runtime-protocol.js';

/**
 * A runtime thread: transformers.js with loaded models kept under its share of the memory budget, one job at a
 * time, loading local files only (localTransformers).
 */
const port = parentPort;
if (!port) throw new Error('runtime.worker must run as a worker thread');
const opts = workerData as { modelsRoot: string; budgetBytes: number; intraOpThreads: number };

const tjs = await localTransformers(opts.modelsRoot);

const runner = new ModelRunner(tjs, { budgetBytes: opts.budgetBytes, intraOpThreads: opts.intraOpThreads });

/** Errors name files by their server path: the model's own files are named as in its repository instead. */
const clean = (err: unknown, folder: string): string => {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(folder + path.sep).join('').split(opts.modelsRoot).join('<models>').slice(0, 600);
};

async function handle(msg: WorkerRequest): Promise<WorkerResponse> {
  if (msg.kind === 'probe') {
    try {
      return { id: msg.id, ok: true, output: await runner.probe(msg.job), resident: runner.resident() };
    } catch (err) {
      return { id: msg.id, ok: false, stage: 'load', error: clean(err, msg.job.folder), resident: runner.resident() };
    }
  }
  let loaded: Awaited<ReturnType<ModelRunner['loadFor']>>;
  try {
    loaded = await runner.loadFor(msg.job);
  } catch (err) {
    return { id: msg.id, ok: false, stage: 'load', error: clean(err, msg.job.folder), resident: runner.resident() };
  }
  const started = performance.now();
  try {
    const body = await runner.run(msg.job, loaded.pipe);
    const output = { ...body, cached: loaded.cached, loadMs: Math.round(loaded.loadMs), runMs: Math.round(performance.now() - started) } as RunOutput;
    return { id: msg.id, ok: true, output, resident: runner.resident() };
  } catch (err) {
    return { id: msg.id, ok: false, stage: 'run', error: clean(err, msg.job.folder), resident: runner.resident() };
  }
}

port.on('message', (msg: WorkerRequest) => {
  void handle(msg).then((reply) => port.postMessage(reply));
});
