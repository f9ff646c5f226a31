import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Pool } from '../db/pool.js';
import { RateLimitRepository } from './rate-limit.repository.js';

/**
 * An express-rate-limit store in PostgreSQL, so every API instance counts a client's requests together.
 * (`@acpr/rate-limit-postgresql` was not used: it opens a pool of its own, runs its migrations from `init` without
 * waiting for them, and takes a table lock on every hit, which would queue every request of every instance.)
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private readonly repo: RateLimitRepository;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    pool: Pool,
    /** Keeps limiters apart in the shared table (`api:`, `auth:`). */
    readonly prefix: string,
  ) {
    this.repo = new RateLimitRepository(pool);
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    // Ended windows are deleted now and then; each instance does it, which is harmless.
    this.sweeper = setInterval(() => void this.repo.deleteExpired().catch(() => undefined), Math.max(this.windowMs, 60_000));
    this.sweeper.unref();
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const r = await this.repo.get(this.prefix + key);
    return r ? { totalHits: r.hits, resetTime: r.resetAt } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const r = await this.repo.increment(this.prefix + key, this.windowMs);
    return { totalHits: r.hits, resetTime: r.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.repo.decrement(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.repo.reset(this.prefix + key);
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
