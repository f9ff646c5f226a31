import type { Worker } from 'node:worker_threads';
import { startWorker } from './worker-thread.js';

/** What a pool's worker answers for the job `id`: its output, or a failure the pool's `failed` turns into an Error. */
export type PoolAnswer = { id: number; ok: true; output: unknown } | { id: number; ok: false };

export interface WorkerPoolOptions<Job, Answer extends PoolAnswer> {
  /** The worker module: `name` beside `from` (the caller's import.meta.url), started with `workerData`. */
  from: string;
  name: string;
  workerData: unknown;
  /** Worker threads at most (started on first use). */
  size: number;
  /** A job running longer than this ends its worker; a fresh one takes the next job. */
  timeoutMs: number;
  /** Jobs waiting for a worker beyond this are refused with `busy()`. */
  maxQueue: number;
  busy(): Error;
  timedOut(ms: number): Error;
  /** The error of jobs refused or cut short because the pool closed. */
  stoppedMessage: string;
  /** Names the worker in the error of an unexpected exit. */
  label: string;
  failed(answer: Extract<Answer, { ok: false }>): Error;
  /** The idle worker to give `job` (default: the first). */
  choose?(idle: readonly Worker[], job: Job): Worker | undefined;
  /** Sees every answer a worker sends (a pool that keeps what each worker holds). */
  onAnswer?(worker: Worker, answer: Answer): void;
}

interface Pending<Job> {
  id: number;
  job: Job;
  resolve(out: unknown): void;
  reject(err: Error): void;
}

interface Slot<Job> {
  worker: Worker;
  current: Pending<Job> | null;
  timer: NodeJS.Timeout | null;
  /** Set when we end the worker on purpose (timeout, close); the exit then carries this error. */
  ending: Error | null;
}

/**
 * Worker threads that take one job at a time from a bounded queue, so the API thread never computes. A job
 * posts `{ id, ...job }`; a job that outlives the timeout ends its worker; an idle worker does not keep the
 * process alive.
 */
export class WorkerPool<Job extends object, Answer extends PoolAnswer> {
  private readonly slots: Slot<Job>[] = [];
  private readonly queue: Pending<Job>[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions<Job, Answer>) {}

  run(job: Job): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(this.opts.stoppedMessage));
    if (this.queue.length >= this.opts.maxQueue) return Promise.reject(this.opts.busy());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  /** Starts a worker ahead of demand when none is running. */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn();
  }

  /** Live workers, in start order. */
  workers(): Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Live workers, jobs running and waiting. */
  stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.current).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error(this.opts.stoppedMessage);
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
      const next = this.queue[0]!;
      const idle = this.slots.filter((s) => !s.current && !s.ending);
      const chosen = this.opts.choose?.(idle.map((s) => s.worker), next.job);
      let slot = (chosen && idle.find((s) => s.worker === chosen)) ?? idle[0];
      if (!slot) {
        if (this.slots.length >= this.opts.size) return;
        slot = this.spawn();
      }
      this.queue.shift();
      this.dispatch(slot, next);
    }
  }

  private dispatch(slot: Slot<Job>, p: Pending<Job>): void {
    slot.current = p;
    slot.worker.ref(); // a job in flight keeps the process alive; an idle worker does not
    slot.timer = setTimeout(() => {
      slot.ending = this.opts.timedOut(this.opts.timeoutMs);
      void slot.worker.terminate();
    }, this.opts.timeoutMs);
    slot.worker.postMessage({ id: p.id, ...p.job });
  }

  private spawn(): Slot<Job> {
    const worker = startWorker(this.opts.from, this.opts.name, { workerData: this.opts.workerData });
    const slot: Slot<Job> = { worker, current: null, timer: null, ending: null };
    worker.unref();
    worker.on('message', (msg: Answer) => {
      const p = slot.current;
      if (!p || p.id !== msg.id) return;
      this.finish(slot);
      this.opts.onAnswer?.(worker, msg);
      if (msg.ok) p.resolve(msg.output);
      else p.reject(this.opts.failed(msg as Extract<Answer, { ok: false }>));
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
      p?.reject(slot.ending ?? new Error(`${this.opts.label} exited with code ${code}`));
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot<Job>): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    slot.worker.unref();
  }
}
