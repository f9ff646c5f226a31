-- Hub downloads: one active transfer per user, repository and revision (a second request gets the same row),
-- and the queue order the download manager claims work in.
CREATE UNIQUE INDEX download_queue_active_key ON download_queue (user_id, repo_id, revision)
  WHERE status IN ('queued', 'running');
CREATE INDEX idx_download_queue_status_created ON download_queue (status, created_at);
CREATE INDEX idx_download_queue_model_id ON download_queue (model_id);

-- Deleting an installed model keeps the download history; the rows just lose their model.
ALTER TABLE download_queue DROP CONSTRAINT download_queue_model_id_fkey;
ALTER TABLE download_queue
  ADD CONSTRAINT download_queue_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE SET NULL;
