-- Several processes on one database: the workers alive (their lease), which one runs each job, the Socket.IO
-- PostgreSQL adapter's large-message table and the rate-limit counters every API instance shares.

-- One row per running worker process (role all or worker). `heartbeat_at` is its lease: a row not renewed within
-- WORKER_LEASE_MS is dead, and its jobs go to another worker. `pools` are its queue engine (graphile-worker) pool ids,
-- whose job locks are released when it is found dead.
CREATE TABLE worker_instances (
  id text PRIMARY KEY,
  role text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  pools text[] NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- The worker a running job belongs to (null while queued); pause and cancel are sent to it.
ALTER TABLE training_jobs ADD COLUMN worker_id text;
ALTER TABLE download_queue ADD COLUMN worker_id text;

-- @socket.io/postgres-adapter: events over NOTIFY's 8000-byte limit travel through this table.
CREATE TABLE socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload bytea
);

-- express-rate-limit counters, one row per limiter and client; a row past its reset starts a new window.
CREATE TABLE rate_limit_hits (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX idx_rate_limit_hits_reset_at ON rate_limit_hits (reset_at);
