-- Trained models can come from an exported archive (POST /api/models/import) instead of a training job here:
-- imported_at says when, import_manifest keeps the archive's manifest.json as it came (the Sokhan version that
-- made it, when, the model's original id and settings). Both are set together, and only on trained models.
ALTER TABLE models
  ADD COLUMN imported_at timestamptz,
  ADD COLUMN import_manifest jsonb,
  ADD CONSTRAINT models_import_check CHECK ((imported_at IS NULL) = (import_manifest IS NULL) AND (imported_at IS NULL OR source = 'trained'));

-- An imported model's evaluations ran on datasets that are not here: the name the archive gave is kept instead.
ALTER TABLE model_evaluations ADD COLUMN dataset_name text;
