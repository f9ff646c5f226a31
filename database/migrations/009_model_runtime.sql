-- What an installed Hub model runs here (transformers.js on onnxruntime), found by inspecting its files and loading
-- it once: at install, and at start for models never inspected by this inspector version. One row per model.
CREATE TABLE model_runtime (
  model_id uuid PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
  -- Bumped when the inspection changes, so models inspected by an older one are inspected again at start.
  inspector_version integer NOT NULL,
  runnable boolean NOT NULL,
  -- The pipelines it runs (the first is the one offered first); empty when it does not run.
  pipelines text[] NOT NULL DEFAULT '{}',
  -- [{variant, file, sizeBytes}], best first; default_variant is what a run uses unless asked otherwise.
  variants jsonb NOT NULL DEFAULT '[]'::jsonb,
  default_variant text,
  -- How text is prepared for it, its mask token, hidden size and sample rate (see common/src/contracts/runtime.ts).
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  reason_code text,
  reason text,
  checked_at timestamptz NOT NULL DEFAULT now(),
  CHECK (runnable = (cardinality(pipelines) > 0)),
  CHECK (runnable = (default_variant IS NOT NULL)),
  CHECK (runnable OR (reason_code IS NOT NULL AND reason IS NOT NULL))
);
-- Which installed models run a pipeline (voices for the picker, encoders for training).
CREATE INDEX idx_model_runtime_pipelines ON model_runtime USING gin (pipelines) WHERE runnable;
