import type { Queryable } from '../../platform/db/pool.js';

export class SystemRepository {
  constructor(private readonly db: Queryable) {}

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async serverVersion(): Promise<string> {
    const r = await this.db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return r.rows[0]?.v ?? 'unknown';
  }

  async liveWorkers(leaseMs: number): Promise<number> {
    const r = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker_instances WHERE heartbeat_at > now() - $1::int * interval '1 millisecond'`, [leaseMs]);
    return r.rows[0]?.n ?? 0;
  }

  async countByStatus(table: 'download_queue' | 'training_jobs'): Promise<Record<string, number>> {
    // The table name comes from the closed union above, never from input.
    const r = await this.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM ${table} GROUP BY status`,
    );
    return Object.fromEntries(r.rows.map((row) => [row.status, row.n]));
  }
}
