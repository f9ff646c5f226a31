import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../platform/logger.js';
import { startWorker } from '../../platform/worker-thread.js';
import type { TfPreference } from './tf-backend.js';
import { CONTROL, type WorkerInput, type WorkerMessage } from './worker-protocol.js';

export type StopRequest = 'pause' | 'cancel';

export interface RunnerHooks {
  /** One worker message; called in order, one at a time per job. */
  onMessage(jobId: string, msg: WorkerMessage): Promise<void>;
  /**
   * The worker ended without saying done or failed (crashed, or terminated at shutdown / after a stop timeout),
   * or, with `startError`, its thread could not be started at all.
   */
  onLost(jobId: string, info: { requested: StopRequest | null; shuttingDown: boolean; startError?: unknown }): Promise<void>;
}

export interface RunnerOptions {
  tfPreference: TfPreference;
  logger: Logger;
  hooks: RunnerHooks;
  /** How long a worker gets to stop after a request before it is terminated. */
  stopTimeoutMs?: number;
  /** Starts a job's worker thread (default: spawnWorker). */
  spawn?: (input: WorkerInput) => Worker;
}

interface ActiveJob {
  worker: Worker;
  flag: Int32Array;
  requested: StopRequest | null;
  /**
   * The worker has reported 'started' (data loaded, network built) or is embedding the dataset (which keeps its
   * rows as it goes); before that there is nothing to save, so a stop terminates it.
   */
  training: boolean;
  /** Another worker holds the job now: nothing more this thread says is passed on, and its end is nobody's news. */
  abandoned: boolean;
  exited: Promise<void>;
}

/** Starts the training worker thread for one job. */
export function spawnWorker(input: WorkerInput): Worker {
  return startWorker(import.meta.url, 'training.worker', { workerData: input });
}

/**
 * Runs the jobs the queue hands this process in worker threads (the queue bounds how many at once).
 * Pause and cancel are a shared flag the worker reads after every batch, so they never wait on the event loop.
 */
export class TrainingRunner {
  private readonly active = new Map<string, ActiveJob>();
  /** Jobs claimed and being prepared (data checked, checkpoint found): no worker yet. */
  private readonly preparing = new Map<string, Promise<void>>();
  private shuttingDown = false;

  constructor(private readonly opts: RunnerOptions) {}

  isActive(jobId: string): boolean {
    return this.active.has(jobId);
  }

  /** The jobs whose worker threads run here now. */
  activeIds(): string[] {
    return [...this.active.keys()];
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  /**
   * Resolves once a job claimed here has its worker, or will get none. A claimed job is marked running before its
   * worker exists; after launched() request() reaches it if it runs at all.
   */
  async launched(jobId: string): Promise<void> {
    await this.preparing.get(jobId);
  }

  /**
   * Runs a job the queue handed over and this process claimed: `prepare` builds its input (null: nothing to run,
   * its row already says why), then a worker thread trains. Resolves once the thread has exited and every message
   * is handled. A stop that lands while it prepares hands the job to onLost instead of starting it.
   */
  async run(jobId: string, prepare: () => Promise<WorkerInput['job'] | null>): Promise<void> {
    let ready!: () => void;
    this.preparing.set(jobId, new Promise<void>((r) => (ready = r)));
    try {
      const job = await prepare();
      if (!job) return;
      if (this.shuttingDown) {
        await this.opts.hooks.onLost(jobId, { requested: null, shuttingDown: true }).catch((err: unknown) => this.opts.logger.error({ err, jobId }, 'lost training job not recorded'));
        return;
      }
      await this.launch(jobId, job);
    } finally {
      this.preparing.delete(jobId);
      ready();
    }
    await this.active.get(jobId)?.exited;
  }

  /**
   * Asks a running job to stop after its current batch; false when it is not running here. A worker still
   * starting up (loading TensorFlow.js or the data) has nothing to save yet, so it is simply terminated.
   */
  request(jobId: string, what: StopRequest): boolean {
    const a = this.active.get(jobId);
    if (!a) return false;
    if (a.requested === 'cancel') return true;
    a.requested = what;
    Atomics.store(a.flag, 0, what === 'pause' ? CONTROL.pause : CONTROL.cancel);
    if (!a.training) void a.worker.terminate();
    return true;
  }

  /**
   * Stops a job's thread without passing on another word of it (the job is another worker's now); true the first
   * time for a job running here.
   */
  abandon(jobId: string): boolean {
    const a = this.active.get(jobId);
    if (!a || a.abandoned) return false;
    a.abandoned = true;
    void a.worker.terminate();
    return true;
  }

  /** Resolves when the job's worker has exited and its messages are handled (terminating it after the timeout). */
  async settle(jobId: string, timeoutMs = this.opts.stopTimeoutMs ?? 15_000): Promise<void> {
    const a = this.active.get(jobId);
    if (!a) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([a.exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.opts.logger.warn({ jobId }, 'training worker did not stop in time; terminating it');
      await a.worker.terminate();
      await a.exited;
    }
  }

  /** Every running job pauses at its next batch (a checkpoint keeps its place); stragglers are terminated. */
  async stop(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all(this.preparing.values());
    const ids = [...this.active.keys()];
    for (const id of ids) this.request(id, 'pause');
    await Promise.all(ids.map((id) => this.settle(id)));
  }

  /** Starts the job's worker; when the thread cannot start, the job is handed to onLost with the error. */
  private async launch(jobId: string, job: WorkerInput['job']): Promise<void> {
    const control = new SharedArrayBuffer(4);
    const flag = new Int32Array(control);
    const { hooks, logger } = this.opts;
    let worker: Worker;
    try {
      worker = (this.opts.spawn ?? spawnWorker)({ job, tfPreference: this.opts.tfPreference, control });
    } catch (err) {
      logger.error({ err, jobId }, 'training worker could not be started');
      await hooks
        .onLost(jobId, { requested: null, shuttingDown: this.shuttingDown, startError: err })
        .catch((e: unknown) => logger.error({ err: e, jobId }, 'lost training job not recorded'));
      return;
    }
    let chain = Promise.resolve();
    let settled = false;
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'event' && (msg.event.type === 'started' || msg.event.type === 'embedding')) entry.training = true;
      if (msg.type === 'done' || msg.type === 'failed') settled = true;
      chain = chain
        .then(() => (entry.abandoned ? undefined : hooks.onMessage(jobId, msg)))
        .catch((err: unknown) => logger.error({ err, jobId, message: msg.type }, 'training message not handled'));
      if (settled) chain = chain.then(() => void worker.terminate());
    });
    worker.on('error', (err) => logger.error({ err, jobId }, 'training worker crashed'));
    const entry: ActiveJob = {
      worker,
      flag,
      requested: null,
      training: false,
      abandoned: false,
      exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())).then(async () => {
        await chain;
        if (!settled && !entry.abandoned) {
          await hooks.onLost(jobId, { requested: entry.requested, shuttingDown: this.shuttingDown }).catch((err: unknown) => logger.error({ err, jobId }, 'lost training job not recorded'));
        }
        this.active.delete(jobId);
      }),
    };
    this.active.set(jobId, entry);
  }
}
