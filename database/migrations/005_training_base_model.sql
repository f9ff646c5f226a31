-- Fine-tuning: a job may continue from one of the user's trained models (kept even if that model is deleted later).
ALTER TABLE training_jobs ADD COLUMN base_model_id uuid REFERENCES models (id) ON DELETE SET NULL;
