import type { Queryable } from '../db/pool.js';
import { JOB_MAX_ATTEMPTS, jobKey, type JobKind, type QueuedJob } from './jobs.js';

/** `worker_id` of a job row is a live worker: its instance row was renewed within the lease. */
export const liveOwnerSql = (table: string, leaseParam: string) =>
  `EXISTS (SELECT 1 FROM worker_instances w WHERE w.id = ${table}.worker_id AND w.heartbeat_at > now() - ${leaseParam} * interval '1 millisecond')`;

/**
 * The SQL of the job queue: graphile-worker's documented SQL API (add_job, remove_job, force_unlock_workers and the
 * `jobs` view) and our worker_instances table. Enqueueing takes a transaction's client, so a job row and its
 * queue entry are written together.
 */
export class QueueRepository {
  constructor(private readonly db: Queryable) {}

  /** Puts the job in the queue (one entry per job: a second add of a waiting one only moves it). */
  async enqueue(job: QueuedJob): Promise<void> {
    await this.db.query(
      `SELECT graphile_worker.add_job($1::text, json_build_object('id', $2::text), queue_name := $3::text, job_key := $4::text,
         max_attempts := $5::int, job_key_mode := 'replace')`,
      [job.kind, job.id, job.queueName ?? null, jobKey(job.kind, job.id), JOB_MAX_ATTEMPTS],
    );
  }

  /** Takes a waiting entry out of the queue (a paused or cancelled job); one being run is left to its worker. */
  async dequeue(kind: JobKind, id: string): Promise<void> {
    await this.db.query(`SELECT graphile_worker.remove_job($1::text)`, [jobKey(kind, id)]);
  }

  /**
   * Every active job row without a live worker and without a queue entry gets one: covers a row whose worker died
   * after its entry was gone (graphile-worker releases locks older than 4 hours on its own, and a handler that finds
   * the row held by a live worker drops that entry). Returns how many entries were added.
   */
  async ensureQueued(kind: JobKind, table: 'training_jobs' | 'download_queue', activeStatuses: string[], leaseMs: number): Promise<number> {
    const queueName = table === 'download_queue' ? `'download:' || repo_id || '@' || revision` : 'NULL';
    const r = await this.db.query(
      `SELECT graphile_worker.add_job($1::text, json_build_object('id', id::text), queue_name := ${queueName}, job_key := $1 || ':' || id::text,
         max_attempts := $2::int, job_key_mode := 'unsafe_dedupe')
       FROM ${table} WHERE status = ANY($3::text[]) AND NOT ${liveOwnerSql(table, '$4::int')}
         AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.key = $1 || ':' || ${table}.id::text)`,
      [kind, JOB_MAX_ATTEMPTS, activeStatuses, leaseMs],
    );
    return r.rowCount ?? 0;
  }

  async registerInstance(i: { id: string; role: string; host: string; pid: number }): Promise<void> {
    await this.db.query(`INSERT INTO worker_instances (id, role, host, pid) VALUES ($1, $2, $3, $4)`, [i.id, i.role, i.host, i.pid]);
  }

  /** Renews the lease; false when the row is gone (another worker found this one dead and took its jobs). */
  async heartbeat(id: string, pools: string[]): Promise<boolean> {
    const r = await this.db.query(`UPDATE worker_instances SET heartbeat_at = now(), pools = $2::text[] WHERE id = $1`, [id, pools]);
    return r.rowCount === 1;
  }

  async removeInstance(id: string): Promise<void> {
    await this.db.query(`DELETE FROM worker_instances WHERE id = $1`, [id]);
  }

  /**
   * Forgets workers whose lease ran out and releases the queue locks no live worker holds (older than the lease,
   * so a pool that has just started and not yet been recorded keeps its own). Returns the released pool ids.
   */
  async releaseDead(leaseMs: number): Promise<string[]> {
    await this.db.query(`DELETE FROM worker_instances WHERE heartbeat_at <= now() - $1::int * interval '1 millisecond'`, [leaseMs]);
    const r = await this.db.query<{ locked_by: string }>(
      `SELECT DISTINCT locked_by FROM graphile_worker.jobs j
       WHERE j.locked_by IS NOT NULL AND j.locked_at <= now() - $1::int * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM worker_instances w WHERE j.locked_by = ANY(w.pools))`,
      [leaseMs],
    );
    const dead = r.rows.map((x) => x.locked_by);
    if (dead.length) await this.db.query(`SELECT graphile_worker.force_unlock_workers($1::text[])`, [dead]);
    return dead;
  }

  /** Whether the job row's worker is alive and is not `self`: then only a message reaches the job. */
  async runsElsewhere(table: 'training_jobs' | 'download_queue', id: string, self: string | null, leaseMs: number): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM ${table} WHERE id = $1 AND worker_id IS DISTINCT FROM $2::text AND ${liveOwnerSql(table, '$3::int')}`,
      [id, self, leaseMs],
    );
    return r.rowCount === 1;
  }

  /** Tells every worker about a job (LISTEN sokhan_job_control). */
  async notify(payload: string): Promise<void> {
    await this.db.query(`SELECT pg_notify('sokhan_job_control', $1)`, [payload]);
  }
}
