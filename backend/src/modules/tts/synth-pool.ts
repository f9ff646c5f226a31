import { WorkerPool } from '../../platform/worker-pool.js';
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

/** A small pool of synthesis worker threads so the API thread never computes audio. */
export class SynthPool {
  private readonly pool: WorkerPool<Omit<WorkerRequest, 'id'>, WorkerResponse>;

  constructor(opts: SynthPoolOptions) {
    this.pool = new WorkerPool({
      from: import.meta.url,
      name: 'synth-worker',
      workerData: { intraOpThreads: opts.intraOpThreads, maxSessions: 4 },
      size: opts.size,
      timeoutMs: opts.timeoutMs,
      maxQueue: opts.maxQueue,
      busy: () => new PoolBusyError(),
      timedOut: (ms) => new SynthTimeoutError(ms),
      stoppedMessage: 'speech synthesis has stopped',
      label: 'synthesis worker',
      failed: (answer) => new Error(answer.error),
    });
  }

  run(job: SynthJob): Promise<SynthOutput> {
    return this.pool.run({ job }) as Promise<SynthOutput>;
  }

  /** Starts a worker ahead of demand (it compiles eSpeak NG at start) when none is running. */
  warm(): void {
    this.pool.warm();
  }

  /** Jobs running or waiting, and live workers. */
  stats(): { workers: number; busy: number; queued: number } {
    return this.pool.stats();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
