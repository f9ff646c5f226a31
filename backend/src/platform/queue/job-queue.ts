import os from 'node:os';
import { EventEmitter } from 'node:events';
import { Logger as EngineLogger, run, type Runner, type WorkerEvents, type WorkerPool } from 'graphile-worker';
import pg from 'pg';
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../logger.js';
import { parseControlMessage, type JobControlMessage, type JobKind, type WorkerLease } from './jobs.js';
import { QueueRepository } from './queue.repository.js';

/** What a module hands the queue for one kind of job. */
export interface JobHandler {
  /** Jobs of this kind run at once in this process (DOWNLOAD_CONCURRENCY, TRAINING_CONCURRENCY). */
  concurrency: number;
  /**
   * Runs the job of this row id to its end: claims the row (or returns at once when it is not this worker's to
   * run), runs it, records the outcome. Throws only when the job must go back to the queue untouched.
   */
  run(id: string): Promise<void>;
  /** Another instance paused or cancelled a job; a handler that does not run it here ignores the message. */
  control(msg: JobControlMessage): void;
  /** Every heartbeat: re-reads the rows of the jobs running here, so a message lost in a reconnect still lands. */
  check(): Promise<void>;
  /** Where rows of this kind live and which statuses are still to run: rows left without a worker are queued again. */
  rows: { table: 'training_jobs' | 'download_queue'; active: string[] };
}

export interface JobQueueOptions {
  pool: Pool;
  logger: Logger;
  lease: WorkerLease;
  role: string;
  heartbeatMs: number;
  /** This process was found dead by another (its lease ran out): its jobs are someone else's now. */
  onLeaseLost(): void;
}

/** Thrown by a handler asked to run a job while its process stops: the engine gives the job to the next worker. */
export class QueueStoppingError extends Error {
  constructor() {
    super('this worker is stopping');
  }
}

const CONTROL_CHANNEL = 'sokhan_job_control';

/**
 * The job queue: graphile-worker on our PostgreSQL decides which worker runs each job (SKIP LOCKED claims, one
 * entry per job key, LISTEN/NOTIFY wake-ups). graphile-worker has no heartbeat of its own, so the lease is ours: each
 * worker renews its worker_instances row every heartbeat, and any worker that finds a row older than the lease
 * releases the dead one's locks (`force_unlock_workers`), so the next free worker takes its jobs over. Pause and cancel
 * travel as NOTIFY messages to every worker; the one running the job acts on it.
 */
export class JobQueue {
  private readonly handlers = new Map<JobKind, JobHandler>();
  /** On the app's pool: control messages sent from any role. */
  private readonly repo: QueueRepository;
  /**
   * The running queue's own connections: the engine's and the control channel's LISTEN clients are held for good, so
   * they come from a pool apart from the one requests use (DB_POOL_MAX stays theirs).
   */
  private own: pg.Pool | null = null;
  private ownRepo: QueueRepository | null = null;
  private readonly pools = new Map<string, WorkerPool>();
  private runners: Runner[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private listener: PoolClient | null = null;
  private started = false;
  private stopping = false;
  /** Heartbeats go on while stopping, until the jobs running here have stopped: the lease covers them till then. */
  private beating = false;
  private draining: Promise<void> | null = null;

  constructor(private readonly opts: JobQueueOptions) {
    this.repo = new QueueRepository(opts.pool);
  }

  get lease(): WorkerLease {
    return this.opts.lease;
  }

  register(kind: JobKind, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Reaches the worker running the job, wherever it is (all workers listen). */
  async send(msg: JobControlMessage): Promise<void> {
    await this.repo.notify(JSON.stringify(msg));
  }

  /** Registers this worker, listens for control messages and starts one engine pool per kind of job. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { lease, logger } = this.opts;
    const own = new pg.Pool({ ...this.opts.pool.options, max: 2 * this.handlers.size + 3, application_name: 'sokhan-queue' });
    own.on('error', (err) => logger.warn({ err: err.message }, 'queue database connection error'));
    own.on('connect', (client) => client.on('error', (err) => logger.debug({ err: err.message }, 'queue database connection error')));
    this.own = own;
    this.ownRepo = new QueueRepository(own);
    await this.ownRepo.registerInstance({ id: lease.instanceId, role: this.opts.role, host: os.hostname(), pid: process.pid });
    await this.listen();
    const engineLogger = new EngineLogger((scope) => (level, message, meta) => {
      const line = { scope: scope.label, ...(meta ?? {}) };
      if (level === 'error') logger.error(line, `queue: ${message}`);
      else if (level === 'warning') logger.warn(line, `queue: ${message}`);
      else logger.debug(line, `queue: ${message}`);
    });
    for (const [kind, handler] of this.handlers) {
      const events: WorkerEvents = new EventEmitter();
      events.on('pool:create', ({ workerPool }) => this.pools.set(workerPool.id, workerPool));
      const runner = await run(
        {
          pgPool: own,
          schema: 'graphile_worker',
          concurrency: handler.concurrency,
          noHandleSignals: true,
          // New jobs arrive by NOTIFY; the poll finds jobs released from a dead worker (no NOTIFY for those).
          pollInterval: Math.min(2000, this.opts.heartbeatMs),
          gracefulShutdownAbortTimeout: 600_000,
          logger: engineLogger,
          events,
        },
        {
          [kind]: async (payload) => {
            const id = (payload as { id?: unknown } | null)?.id;
            if (typeof id === 'string') await handler.run(id);
          },
        },
        [],
      );
      this.runners.push(runner);
    }
    this.beating = true;
    await this.tick();
    this.schedule();
  }

  /** Stops taking jobs (those running go on until their modules stop them). */
  drain(): Promise<void> {
    this.stopping = true;
    return (this.draining ??= Promise.allSettled(this.runners.map((r) => r.stop())).then(() => undefined));
  }

  /** After the modules have stopped their jobs: the engine pools end, the lease is given up. */
  async stop(): Promise<void> {
    if (!this.started) return;
    await this.drain();
    this.beating = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      await listener.query(`UNLISTEN ${CONTROL_CHANNEL}`).catch(() => undefined);
      listener.release();
    }
    await this.ownRepo!.removeInstance(this.opts.lease.instanceId).catch((err: unknown) => this.opts.logger.warn({ err }, 'could not remove the worker instance row'));
    await this.own?.end().catch(() => undefined);
    this.own = null;
    this.ownRepo = null;
    this.started = false;
  }

  private schedule(): void {
    if (!this.beating) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.opts.heartbeatMs);
    this.timer.unref();
  }

  /** One heartbeat: renew the lease, release dead workers' jobs, re-queue orphaned rows, re-check running rows. */
  private async tick(): Promise<void> {
    const { lease, logger } = this.opts;
    const repo = this.ownRepo;
    if (!repo) return;
    try {
      if (!this.listener && this.started && !this.stopping) await this.listen();
      if (!(await repo.heartbeat(lease.instanceId, [...this.pools.keys()]))) {
        logger.fatal({ instanceId: lease.instanceId }, 'this worker was found dead by another; its jobs are no longer its own');
        this.opts.onLeaseLost();
        return;
      }
      const released = await repo.releaseDead(lease.leaseMs);
      if (released.length) {
        logger.warn({ pools: released }, 'took over the jobs of a worker that stopped renewing its lease');
      }
      for (const [kind, h] of this.handlers) await repo.ensureQueued(kind, h.rows.table, h.rows.active, lease.leaseMs);
      // Released or re-queued jobs carry no NOTIFY: look for them now rather than at the next poll.
      if (released.length) for (const p of this.pools.values()) p.nudge(1);
      for (const h of this.handlers.values()) await h.check();
    } catch (err) {
      logger.warn({ err }, 'queue heartbeat failed');
    }
  }

  /** A client of its own LISTENs for control messages. */
  private async listen(): Promise<void> {
    const client = await this.own!.connect();
    client.on('notification', (n) => {
      if (n.channel !== CONTROL_CHANNEL || !n.payload) return;
      const msg = parseControlMessage(n.payload);
      if (msg) this.handlers.get(msg.kind)?.control(msg);
    });
    client.on('error', (err) => {
      // The next heartbeat listens again (and re-reads the running rows, so nothing sent meanwhile is lost).
      this.opts.logger.warn({ err: err.message }, 'job control connection lost');
      if (this.listener !== client) return;
      this.listener = null;
      client.release(err);
    });
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    this.listener = client;
  }
}
