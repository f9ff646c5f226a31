import pg from 'pg';
import type { Logger } from '../logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  max: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  logger: Logger;
}

// Return bigint counts (COUNT(*)) as JS numbers; our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** admin_shutdown, crash_shutdown, cannot_connect_now: what a stopping server says to its open connections. */
const SERVER_SHUTDOWN = new Set(['57P01', '57P02', '57P03']);

export function createPool(opts: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    idleTimeoutMillis: opts.idleTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    application_name: 'sokhan',
  });
  // A checked-out client losing its server (a LISTEN connection held for good, say) emits on itself; its holder sees
  // the failure on its next query, so here it only must not crash the process.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.logger.debug({ err: err.message }, 'database connection error'));
  });
  // An idle client losing its server emits here; without a listener the process would crash.
  pool.on('error', (err) => {
    const code = (err as { code?: string }).code;
    if (code && SERVER_SHUTDOWN.has(code)) {
      // The server is stopping (ours on shutdown, or a restart): the pool reconnects on the next query, and a query
      // that cannot is reported where it fails. Not an error of ours.
      const level = pool.ending ? 'debug' : 'warn';
      opts.logger[level]({ code }, 'database connection closed by the server shutting down');
      return;
    }
    opts.logger.error({ err: err.message, code }, 'database pool error');
  });
  return pool;
}

export function poolStats(pool: Pool) {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 0 };
}

/** Runs `fn` inside BEGIN/COMMIT, rolling back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Anything with `query`: a pool or a transaction's client. Repositories accept either. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;
