import type { Worker } from 'node:worker_threads';
import { WorkerPool } from '../../platform/worker-pool.js';
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

/**
 * Worker threads that load and run installed models, so the API thread never tokenises or computes. A job goes
 * to an idle worker that already holds its model when there is one; each worker keeps its own loaded models
 * under its share of the budget.
 */
export class RuntimePool {
  private readonly pool: WorkerPool<Omit<WorkerRequest, 'id'>, WorkerResponse>;
  /** Models each worker holds loaded (residentKey), as its last answer said. */
  private readonly resident = new WeakMap<Worker, Set<string>>();

  constructor(opts: RuntimePoolOptions) {
    this.pool = new WorkerPool({
      from: import.meta.url,
      name: 'runtime.worker',
      workerData: { modelsRoot: opts.modelsRoot, budgetBytes: opts.budgetBytesPerWorker, intraOpThreads: opts.intraOpThreads },
      size: opts.size,
      timeoutMs: opts.timeoutMs,
      maxQueue: opts.maxQueue,
      busy: () => new RuntimeBusyError(),
      timedOut: (ms) => new RuntimeTimeoutError(ms),
      stoppedMessage: 'the model runtime has stopped',
      label: 'runtime worker',
      failed: (answer) => new RuntimeJobError(answer.stage, answer.error),
      choose: (idle, work) => idle.find((w) => this.resident.get(w)?.has(residentKey(work.job))),
      onAnswer: (worker, answer) => this.resident.set(worker, new Set(answer.resident)),
    });
  }

  run(job: RunJob): Promise<RunOutput> {
    return this.pool.run({ kind: 'run', job }) as Promise<RunOutput>;
  }

  probe(spec: LoadSpec): Promise<ProbeResult> {
    return this.pool.run({ kind: 'probe', job: spec }) as Promise<ProbeResult>;
  }

  /** Live workers, jobs running and waiting, and the models each worker holds. */
  stats(): { workers: number; busy: number; queued: number; resident: string[][] } {
    return { ...this.pool.stats(), resident: this.pool.workers().map((w) => [...(this.resident.get(w) ?? [])]) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
