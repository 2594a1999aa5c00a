-- Replay and discard claim a key (or a dead letter whose key is not blocked) for a lease instead of
-- holding its row lock while they send, and release a key's parked records page by page. A key's
-- release token marks the records its release sends, so that the consumer processes them while the
-- key stays blocked; halted means a new dead letter of the key arrived during its release; a dead
-- letter's release token says which release sent it.
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key"
  ADD COLUMN IF NOT EXISTS release_token varchar(36);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key"
  ADD COLUMN IF NOT EXISTS claimed_by varchar(36);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key"
  ADD COLUMN IF NOT EXISTS claimed_until timestamp with time zone;
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key"
  ADD COLUMN IF NOT EXISTS halted boolean NOT NULL DEFAULT false;
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key"
  ADD COLUMN IF NOT EXISTS sent_through bigint NOT NULL DEFAULT 0;
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD COLUMN IF NOT EXISTS claimed_by varchar(36);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD COLUMN IF NOT EXISTS claimed_until timestamp with time zone;
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD COLUMN IF NOT EXISTS release_token varchar(36);
