-- Speech: clips users keep from synthesis. The audio lives on disk under DATA_DIR (file_path is relative to it).
CREATE TABLE tts_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  text text NOT NULL,
  voice_id text NOT NULL,
  voice_name text NOT NULL,
  engine text NOT NULL CHECK (engine IN ('espeak', 'piper')),
  -- The installed model a neural voice came from; the clip stays when the model is removed.
  model_id uuid REFERENCES models (id) ON DELETE SET NULL,
  parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
  file_path text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  duration_seconds double precision NOT NULL CHECK (duration_seconds >= 0),
  sample_rate integer NOT NULL CHECK (sample_rate > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_tts_history_user_created ON tts_history (user_id, created_at DESC, id DESC);
