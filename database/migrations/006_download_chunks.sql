-- Chunk maps of files fetched as parallel ranges: which bytes of each `.part` are on disk, so a dropped
-- connection or a restart resumes each unfinished piece instead of the file. Keyed by the `.part` it describes;
-- it goes with its download row.
CREATE TABLE download_chunks (
  part_path text PRIMARY KEY,
  download_id uuid NOT NULL REFERENCES download_queue (id) ON DELETE CASCADE,
  size bigint NOT NULL CHECK (size >= 0),
  sha256 text,
  etag text,
  chunk_size bigint NOT NULL CHECK (chunk_size > 0),
  done bigint[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_download_chunks_download_id ON download_chunks (download_id);
