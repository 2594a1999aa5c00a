-- A dead letter whose key PayloadRedactor.redactKey changed stores the redacted key (record_key,
-- key_text) while key_hash stays the hash of the original key, the key's identity in ordered mode.
-- Replay refuses such a dead letter: it would publish it under the redacted key.
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD COLUMN IF NOT EXISTS key_redacted boolean DEFAULT FALSE NOT NULL;
