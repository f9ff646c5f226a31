/**
 * `npm run verify:db`: checks the live schema against the expected tables, columns, types, foreign keys, indexes and
 * triggers, then writes sample rows through all seven tables in a transaction, reads them back, checks that
 * updated_at moves on update, and rolls back. One line per check; exit 1 on any miss.
 */
import 'dotenv/config';
import { loadConfig } from '../backend/src/config.js';
import { openDatabase } from '../backend/src/platform/db/database.js';
import { createLogger } from '../backend/src/platform/logger.js';

type Cols = Record<string, string>;
const TS = 'timestamp with time zone';
const EXPECTED: Record<string, Cols> = {
  users: { id: 'uuid', email: 'text', username: 'text', password_hash: 'text', role: 'text', created_at: TS, updated_at: TS },
  models: { id: 'uuid', name: 'text', type: 'text', repo_id: 'text', size_mb: 'numeric', status: 'text', file_path: 'text', metadata: 'jsonb', created_at: TS, updated_at: TS },
  training_jobs: { id: 'uuid', user_id: 'uuid', model_id: 'uuid', status: 'text', progress: 'numeric', config: 'jsonb', metrics: 'jsonb', created_at: TS, updated_at: TS },
  datasets: { id: 'uuid', user_id: 'uuid', name: 'text', type: 'text', file_path: 'text', size_mb: 'numeric', record_count: 'integer', metadata: 'jsonb', created_at: TS, updated_at: TS },
  download_queue: { id: 'uuid', model_id: 'uuid', user_id: 'uuid', status: 'text', progress: 'numeric', bytes_downloaded: 'bigint', bytes_total: 'bigint', created_at: TS, updated_at: TS },
  user_settings: { id: 'uuid', user_id: 'uuid', huggingface_token: 'text', settings_json: 'jsonb', created_at: TS, updated_at: TS },
  checkpoints: { id: 'uuid', training_job_id: 'uuid', epoch: 'integer', step: 'integer', loss: 'double precision', accuracy: 'double precision', file_path: 'text', metadata: 'jsonb', created_at: TS },
};
const FOREIGN_KEYS: [table: string, column: string, references: string][] = [
  ['training_jobs', 'user_id', 'users'],
  ['training_jobs', 'model_id', 'models'],
  ['datasets', 'user_id', 'users'],
  ['download_queue', 'model_id', 'models'],
  ['download_queue', 'user_id', 'users'],
  ['user_settings', 'user_id', 'users'],
  ['checkpoints', 'training_job_id', 'training_jobs'],
];
const INDEXES = ['idx_models_type', 'idx_models_status', 'idx_training_jobs_user_id', 'idx_training_jobs_status', 'idx_download_queue_status', 'idx_datasets_user_id', 'idx_checkpoints_training_job_id'];
const STATUS_CHECKS: [string, string][] = [['users', 'role'], ['models', 'status'], ['training_jobs', 'status'], ['download_queue', 'status']];

let passed = 0;
let failed = 0;
function check(ok: boolean, what: string, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? '✓' : '✗'} ${what}${detail ? ` — ${detail}` : ''}`);
}

const config = loadConfig();
const db = await openDatabase(config, createLogger('warn'));
const q = db.pool;
try {
  const cols = await q.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  for (const [table, expected] of Object.entries(EXPECTED)) {
    const actual = new Map(cols.rows.filter((r) => r.table_name === table).map((r) => [r.column_name, r.data_type]));
    check(actual.size > 0, `table ${table} exists`);
    for (const [col, type] of Object.entries(expected)) {
      check(actual.get(col) === type, `${table}.${col} is ${type}`, actual.has(col) ? `found ${actual.get(col)}` : 'missing');
    }
    const pk = await q.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [table],
    );
    check(pk.rows.length === 1 && pk.rows[0].attname === 'id', `${table} primary key is id (uuid)`);
  }
  const fks = await q.query<{ tbl: string; col: string; ref: string; del: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS ref, c.confdeltype AS del
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f'`,
  );
  for (const [t, c, ref] of FOREIGN_KEYS) {
    const fk = fks.rows.find((r) => r.tbl === t && r.col === c);
    check(fk?.ref === ref, `foreign key ${t}.${c} → ${ref}`, fk ? `on delete ${({ a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' } as Record<string, string>)[fk.del]}` : 'missing');
  }
  const idx = await q.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
  const idxNames = new Set(idx.rows.map((r) => r.indexname));
  for (const name of INDEXES) check(idxNames.has(name), `index ${name}`);
  const unique = await q.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexdef ILIKE '%UNIQUE%lower(email)%'`);
  check(unique.rows.length === 1, 'users.email unique case-insensitively');
  const checks = await q.query<{ tbl: string; def: string }>(
    `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c'`,
  );
  for (const [t, c] of STATUS_CHECKS) check(checks.rows.some((r) => r.tbl === t && r.def.includes(c)), `CHECK constraint on ${t}.${c}`);
  const fn = await q.query(`SELECT 1 FROM pg_proc WHERE proname = 'set_updated_at'`);
  check(fn.rows.length === 1, 'function set_updated_at() exists');
  const trg = await q.query<{ tbl: string }>(
    `SELECT event_object_table AS tbl FROM information_schema.triggers WHERE action_statement ILIKE '%set_updated_at%'`,
  );
  const withTrigger = new Set(trg.rows.map((r) => r.tbl));
  for (const [table, expected] of Object.entries(EXPECTED)) {
    if ('updated_at' in expected) check(withTrigger.has(table), `trigger set_updated_at on ${table}`);
  }

  // Sample rows through all seven tables, inside a transaction that is rolled back.
  const c = await q.connect();
  try {
    await c.query('BEGIN');
    const one = async <T extends Record<string, unknown>>(sql: string, params: unknown[]) => (await c.query<T>(sql, params)).rows[0]!;
    const user = await one<{ id: string; updated_at: Date }>(
      // updated_at starts an hour back (inserts don't fire the trigger), so an update must move it forward.
      `INSERT INTO users (email, username, password_hash, updated_at) VALUES ($1, $2, 'x', now() - interval '1 hour') RETURNING id, updated_at`,
      ['verify-db@example.com', 'verify_db'],
    );
    const model = await one<{ id: string }>(`INSERT INTO models (name, type, repo_id, size_mb, status, metadata) VALUES ('مدل آزمایشی', 'text-to-speech', 'verify/model', 1.5, 'ready', $1) RETURNING id`, [{ lang: 'fa' }]);
    const ds = await one<{ id: string }>(`INSERT INTO datasets (user_id, name, file_path, record_count) VALUES ($1, 'داده', 'datasets/x.csv', 3) RETURNING id`, [user.id]);
    const job = await one<{ id: string }>(`INSERT INTO training_jobs (user_id, model_id, dataset_id, config) VALUES ($1, $2, $3, '{"epochs":1}') RETURNING id`, [user.id, model.id, ds.id]);
    await c.query(`INSERT INTO download_queue (model_id, user_id, repo_id, bytes_total) VALUES ($1, $2, 'verify/model', 10)`, [model.id, user.id]);
    await c.query(`INSERT INTO user_settings (user_id, settings_json) VALUES ($1, '{"language":"fa"}')`, [user.id]);
    await c.query(`INSERT INTO checkpoints (training_job_id, epoch, step, loss, accuracy, file_path) VALUES ($1, 1, 10, 0.5, 0.8, 'checkpoints/x')`, [job.id]);
    const back = await one<{ n: number }>(
      `SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM models WHERE id = $2) + (SELECT count(*) FROM datasets WHERE id = $3)
            + (SELECT count(*) FROM training_jobs WHERE id = $4) + (SELECT count(*) FROM download_queue WHERE user_id = $1)
            + (SELECT count(*) FROM user_settings WHERE user_id = $1) + (SELECT count(*) FROM checkpoints WHERE training_job_id = $4) AS n`,
      [user.id, model.id, ds.id, job.id],
    );
    check(Number(back.n) === 7, 'sample rows written and read back through all seven tables', `${back.n}/7`);
    const before = user;
    await c.query(`UPDATE users SET username = 'verify_db_2' WHERE id = $1`, [user.id]);
    const after = await one<{ updated_at: Date }>(`SELECT updated_at FROM users WHERE id = $1`, [user.id]);
    check(after.updated_at.getTime() > before.updated_at.getTime(), 'updated_at moves on update (trigger)');
    const dup = await c.query(`SAVEPOINT s; INSERT INTO users (email, username, password_hash) VALUES ('VERIFY-DB@example.com', 'other', 'x')`).then(
      () => false,
      () => true,
    );
    await c.query('ROLLBACK TO SAVEPOINT s').catch(() => undefined);
    check(dup, 'duplicate email (different case) is refused');
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
  const left = await q.query(`SELECT 1 FROM users WHERE email = 'verify-db@example.com'`);
  check(left.rows.length === 0, 'sample rows rolled back');
  check(db.pool.options.max === config.DB_POOL_MAX, `pool max is ${config.DB_POOL_MAX}`);
} finally {
  await db.close();
}
console.log(`verify:db ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
