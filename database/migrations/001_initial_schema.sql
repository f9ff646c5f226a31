-- Sokhan initial schema: the seven tables, their indexes and the shared updated_at trigger.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  username text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  -- Bumped on password change; tokens carrying an older version are refused.
  token_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  type text NOT NULL,
  repo_id text,
  revision text,
  size_mb numeric(14, 3) NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'downloading', 'training', 'ready', 'failed')),
  source text NOT NULL DEFAULT 'hub' CHECK (source IN ('hub', 'trained')),
  owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
  file_path text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_models_type ON models (type);
CREATE INDEX idx_models_status ON models (status);
CREATE UNIQUE INDEX models_repo_revision_key ON models (repo_id, revision) WHERE source = 'hub';

CREATE TABLE datasets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  type text NOT NULL DEFAULT 'text-classification'
    CHECK (type IN ('text-classification', 'tabular-classification', 'tabular-regression')),
  format text NOT NULL DEFAULT 'csv' CHECK (format IN ('csv', 'tsv', 'jsonl')),
  original_name text,
  file_path text NOT NULL,
  size_mb numeric(14, 3) NOT NULL DEFAULT 0,
  record_count integer NOT NULL DEFAULT 0 CHECK (record_count >= 0),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_datasets_user_id ON datasets (user_id);

CREATE TABLE training_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  model_id uuid REFERENCES models (id) ON DELETE SET NULL,
  dataset_id uuid REFERENCES datasets (id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'pausing', 'paused', 'completed', 'failed', 'cancelled')),
  progress numeric(6, 3) NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_training_jobs_user_id ON training_jobs (user_id);
CREATE INDEX idx_training_jobs_status ON training_jobs (status);

CREATE TABLE download_queue (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model_id uuid REFERENCES models (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  repo_id text NOT NULL,
  revision text NOT NULL DEFAULT 'main',
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  progress numeric(6, 3) NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  bytes_downloaded bigint NOT NULL DEFAULT 0 CHECK (bytes_downloaded >= 0),
  bytes_total bigint NOT NULL DEFAULT 0 CHECK (bytes_total >= 0),
  current_file text,
  options jsonb NOT NULL DEFAULT '{}'::jsonb,
  error_code text,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_download_queue_status ON download_queue (status);
CREATE INDEX idx_download_queue_user_id ON download_queue (user_id, created_at DESC);

CREATE TABLE user_settings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  huggingface_token text,
  huggingface_username text,
  settings_json jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE checkpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  training_job_id uuid NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
  epoch integer NOT NULL CHECK (epoch >= 0),
  step integer NOT NULL DEFAULT 0 CHECK (step >= 0),
  loss double precision,
  accuracy double precision,
  file_path text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_checkpoints_training_job_id ON checkpoints (training_job_id);

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER models_set_updated_at BEFORE UPDATE ON models FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER datasets_set_updated_at BEFORE UPDATE ON datasets FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER training_jobs_set_updated_at BEFORE UPDATE ON training_jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER download_queue_set_updated_at BEFORE UPDATE ON download_queue FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER user_settings_set_updated_at BEFORE UPDATE ON user_settings FOR EACH ROW EXECUTE FUNCTION set_updated_at();
