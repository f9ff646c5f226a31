-- Classification figures of a trained model on a set of rows: accuracy, macro-F1, per-class precision / recall /
-- F1 and the confusion matrix (report). A job writes one for its validation rows (or its training rows when it
-- held none out) with the model it saved; evaluating a model on another dataset adds more.
CREATE TABLE model_evaluations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  training_job_id uuid REFERENCES training_jobs (id) ON DELETE CASCADE,
  -- The dataset evaluated on; kept as a figure when that dataset is deleted later.
  dataset_id uuid REFERENCES datasets (id) ON DELETE SET NULL,
  split text NOT NULL CHECK (split IN ('validation', 'training', 'dataset')),
  rows integer NOT NULL CHECK (rows >= 0),
  accuracy double precision NOT NULL CHECK (accuracy >= 0 AND accuracy <= 1),
  macro_f1 double precision NOT NULL CHECK (macro_f1 >= 0 AND macro_f1 <= 1),
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_model_evaluations_model ON model_evaluations (model_id, created_at DESC);
-- One training evaluation per job (a re-run after a crash replaces it).
CREATE UNIQUE INDEX model_evaluations_job_key ON model_evaluations (training_job_id) WHERE training_job_id IS NOT NULL;
