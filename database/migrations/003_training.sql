-- Training: finished jobs no longer pin their dataset, errors keep a code, checkpoints know their validation
-- figures and which one is best, and one checkpoint per job and epoch (a re-run epoch replaces its row).

-- Active jobs are guarded by the service (409 DATASET_IN_USE); a finished job just forgets a deleted dataset.
ALTER TABLE training_jobs DROP CONSTRAINT training_jobs_dataset_id_fkey;
ALTER TABLE training_jobs
  ADD CONSTRAINT training_jobs_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES datasets (id) ON DELETE SET NULL;
CREATE INDEX idx_training_jobs_dataset_id ON training_jobs (dataset_id);
CREATE INDEX idx_training_jobs_user_created ON training_jobs (user_id, created_at DESC);

ALTER TABLE training_jobs ADD COLUMN error_code text;

ALTER TABLE checkpoints
  ADD COLUMN val_loss double precision,
  ADD COLUMN val_accuracy double precision,
  ADD COLUMN is_best boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX checkpoints_job_epoch_key ON checkpoints (training_job_id, epoch);

CREATE INDEX idx_models_owner_id ON models (owner_id) WHERE source = 'trained';
