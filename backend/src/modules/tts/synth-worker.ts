import { parentPort, workerData } from 'node:worker_threads';
import { EspeakRunner } from './espeak.js';
import { SynthEngine } from './synth-engine.js';
import type { WorkerRequest, WorkerResponse } from './synth-types.js';

/** The synthesis thread: one job at a time, eSpeak NG compiled once and onnxruntime sessions kept loaded. */
const port = parentPort;
if (!port) throw new Error('synth-worker must run as a worker thread');
const opts = (workerData ?? {}) as { intraOpThreads?: number; maxSessions?: number };
const engine = new SynthEngine(new EspeakRunner(), {
  intraOpThreads: opts.intraOpThreads ?? 1,
  maxSessions: opts.maxSessions ?? 4,
});

// Compile eSpeak NG while the thread waits for its first job.
void engine.warm().catch(() => undefined);

port.on('message', (msg: WorkerRequest | 'close') => {
  if (msg === 'close') {
    void engine.close().finally(() => port.close());
    return;
  }
  engine.synthesize(msg.job).then(
    (output) => {
      const reply: WorkerResponse = { id: msg.id, ok: true, output };
      port.postMessage(reply, [output.samples.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const reply: WorkerResponse = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      port.postMessage(reply);
    },
  );
});
