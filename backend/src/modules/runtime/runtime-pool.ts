import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../platform/worker-thread.js';
import type { LoadSpec, ProbeResult, RunJob, RunOutput, WorkerRequest, WorkerResponse } from './runtime-protocol.js';
import { residentKey } from './runtime-protocol.js';

export interface RuntimePoolOptions {
  /** Worker threads at most (started on first use). */
  size: number;
  /** A job running longer than this ends its worker (its loaded models with it); a fresh one takes the next job. */
  timeoutMs: number;
  /** Jobs waiting for a worker beyond this are refused with RuntimeBusyError. */
  maxQueue: number;
  /** Each worker's share of RUNTIME_MEMORY_MB. */
  budgetBytesPerWorker: number;
  intraOpThreads: number;
  modelsRoot: string;
}

export class RuntimeBusyError extends Error {
  constructor() {
    super('the model runtime is busy');
  }
}

export class RuntimeTimeoutError extends Error {
  constructor(ms: number) {
    super(`the model took longer than ${ms} ms`);
  }
}

/** The worker answered with an error: `stage` says whether the model did not load or failed while running. */
export class RuntimeJobError extends Error {
  constructor(
    readonly stage: 'load' | 'run',
    message: string,
  ) {
    super(message);
  }
}

type Job = { kind: 'run'; job: RunJob } | { kind: 'probe'; job: LoadSpec };

interface Pending {
  id: number;
  work: Job;
  resolve(out: RunOutput | ProbeResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
  /** Set when we end the worker on purpose (timeout, close); the exit then carries this error. */
  ending: Error | null;
  /** Models the worker holds loaded (residentKey), as its last answer said. */
  resident: Set<string>;
}

/**
 * Worker threads that load and run installed models, so the API thread never tokenises or computes. A job goes
 * to an idle worker that already holds its model when there is one; each worker keeps its own loaded models
 * under its share of the budget.
 */
export class RuntimePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: RuntimePoolOptions) {}

  run(job: RunJob): Promise<RunOutput> {
    return this.enqueue({ kind: 'run', job }) as Promise<RunOutput>;
  }

  probe(spec: LoadSpec): Promise<ProbeResult> {
    return this.enqueue({ kind: 'probe', job: spec }) as Promise<ProbeResult>;
  }

  /** Live workers, jobs running and waiting, and the models each worker holds. */
  stats(): { workers: number; busy: number; queued: number; resident: string[][] } {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.current).length,
      queued: this.queue.length,
      resident: this.slots.map((s) => [...s.resident]),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the model runtime has stopped');
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

  private enqueue(work: Job): Promise<RunOutput | ProbeResult> {
    if (this.closed) return Promise.reject(new Error('the model runtime has stopped'));
    if (this.queue.length >= this.opts.maxQueue) return Promise.reject(new RuntimeBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, work, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length && !this.closed) {
      const next = this.queue[0]!;
      const idle = this.slots.filter((s) => !s.current && !s.ending);
      const key = residentKey(next.work.job);
      let slot = idle.find((s) => s.resident.has(key)) ?? idle[0];
      if (!slot) {
        if (this.slots.length >= this.opts.size) return;
        slot = this.spawn();
      }
      this.queue.shift();
      this.dispatch(slot, next);
    }
  }

  private dispatch(slot: Slot, p: Pending): void {
    slot.current = p;
    slot.worker.ref(); // a job in flight keeps the process alive; an idle worker does not
    slot.timer = setTimeout(() => {
      slot.ending = new RuntimeTimeoutError(this.opts.timeoutMs);
      void slot.worker.terminate();
    }, this.opts.timeoutMs);
    const msg: WorkerRequest = { id: p.id, ...p.work };
    slot.worker.postMessage(msg);
  }

  private spawn(): Slot {
    const worker = startWorker(import.meta.url, 'runtime.worker', {
      workerData: { modelsRoot: this.opts.modelsRoot, budgetBytes: this.opts.budgetBytesPerWorker, intraOpThreads: this.opts.intraOpThreads },
    });
    const slot: Slot = { worker, current: null, timer: null, ending: null, resident: new Set() };
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => {
      const p = slot.current;
      if (!p || p.id !== msg.id) return;
      this.finish(slot);
      slot.resident = new Set(msg.resident);
      if (msg.ok) p.resolve(msg.output);
      else p.reject(new RuntimeJobError(msg.stage, msg.error));
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
      p?.reject(slot.ending ?? new Error(`runtime worker exited with code ${code}`));
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
