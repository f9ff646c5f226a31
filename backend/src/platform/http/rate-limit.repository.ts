import type { Queryable } from '../db/pool.js';

/** The SQL of shared rate-limit counters (rate_limit_hits): one row per limiter and client. */
export class RateLimitRepository {
  constructor(private readonly db: Queryable) {}

  /** Counts a hit in one statement: a row past its reset starts a new window of `windowMs`. */
  async increment(key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }> {
    const r = await this.db.query<{ hits: number; reset_at: Date }>(
      `INSERT INTO rate_limit_hits (key, hits, reset_at) VALUES ($1, 1, now() + $2::int * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= now() THEN 1 ELSE rate_limit_hits.hits + 1 END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
       RETURNING hits, reset_at`,
      [key, windowMs],
    );
    const row = r.rows[0]!;
    return { hits: row.hits, resetAt: row.reset_at };
  }

  async get(key: string): Promise<{ hits: number; resetAt: Date } | null> {
    const r = await this.db.query<{ hits: number; reset_at: Date }>(`SELECT hits, reset_at FROM rate_limit_hits WHERE key = $1 AND reset_at > now()`, [key]);
    const row = r.rows[0];
    return row ? { hits: row.hits, resetAt: row.reset_at } : null;
  }

  async decrement(key: string): Promise<void> {
    await this.db.query(`UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = $1 AND reset_at > now()`, [key]);
  }

  async reset(key: string): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit_hits WHERE key = $1`, [key]);
  }

  /** Forgets windows that have ended (their clients start afresh anyway). */
  async deleteExpired(): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit_hits WHERE reset_at <= now()`);
  }
}
