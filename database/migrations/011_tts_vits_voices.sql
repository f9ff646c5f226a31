-- Speech: VITS/MMS models from the Hub that the model runtime runs are voices too (engine 'vits').
ALTER TABLE tts_history DROP CONSTRAINT tts_history_engine_check;
ALTER TABLE tts_history ADD CONSTRAINT tts_history_engine_check CHECK (engine IN ('espeak', 'piper', 'vits'));
