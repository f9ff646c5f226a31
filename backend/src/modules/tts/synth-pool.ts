import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../platform/worker-thread.js';
import type { SynthJob, SynthOutput, WorkerRequest, WorkerResponse } from './synth-types.js';

export interface SynthPoolOptions {
  /** Worker threads at most (started on first use). */
  size: number;
  /** A job running longer than this ends its worker (a fresh one takes the next job). */
  timeoutMs: number;
  /** Jobs waiting for a worker beyond this are refused with PoolBusyError. */
  maxQueue: number;
  /** onnxruntime threads inside each worker. */
  intraOpThreads: number;
}

export class PoolBusyError extends Error {
  constructor() {
    super('speech synthesis is busy');
  }
}

export class SynthTimeoutError extends Error {
  constructor(ms: number) {
    super(`speech synthesis took longer than ${ms} ms`);
  }
}

interface Pending {
  id: number;
  job: SynthJob;
  resolve(out: SynthOutput): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
  /** Set when we end the worker on purpose (timeout, close); the exit then carries this error. */
  ending: Error | null;
}

/** A small pool of synthesis worker threads so the API thread never computes audio. */
export class SynthPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: SynthPoolOptions) {}

  run(job: SynthJob): Promise<SynthOutput> {
    if (this.closed) return Promise.reject(new Error('speech synthesis has stopped'));
    if (this.queue.length >= this.opts.maxQueue) return Promise.reject(new PoolBusyError());
    return new Promise<SynthOutput>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  /** Starts a worker ahead of demand (it compiles eSpeak NG at start) when none is running. */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn();
  }

  /** Jobs running or waiting, and live workers. */
  stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.current).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('speech synthesis has stopped');
    for (const p of this.queue.splice(0)) p.reject(stopped);
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            slot.worker.once('exit', () => resolve());
            slot.ending = stopped;
            void slot.worker.terminate();
          }),
      ),
    );
  }

  private pump(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => !s.current && !s.ending);
      if (!slot) {
        if (this.slots.length >= this.opts.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      this.dispatch(slot, job);
    }
  }

  private dispatch(slot: Slot, p: Pending): void {
    slot.current = p;
    slot.worker.ref(); // a job in flight keeps the process alive; an idle worker does not
    slot.timer = setTimeout(() => {
      slot.ending = new SynthTimeoutError(this.opts.timeoutMs);
      void slot.worker.terminate();
    }, this.opts.timeoutMs);
    const msg: WorkerRequest = { id: p.id, job: p.job };
    slot.worker.postMessage(msg);
  }

  private spawn(): Slot {
    const worker = startWorker(import.meta.url, 'synth-worker', {
      workerData: { intraOpThreads: this.opts.intraOpThreads, maxSessions: 4 },
    });
    const slot: Slot = { worker, current: null, timer: null, ending: null };
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => {
      const p = slot.current;
      if (!p || p.id !== msg.id) return;
      this.finish(slot);
      if (msg.ok) p.resolve(msg.output);
      else p.reject(new Error(msg.error));
      this.pump();
    });
    worker.on('error', (err) => {
      slot.ending ??= err;
    });
    worker.on('exit', (code) => {
      const p = slot.current;
      this.finish(slot);
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      p?.reject(slot.ending ?? new Error(`synthesis worker exited with code ${code}`));
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    slot.worker.unref();
  }
}
