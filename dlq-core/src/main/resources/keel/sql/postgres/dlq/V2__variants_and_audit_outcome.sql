-- Two different records that claim the same source position (forged or unusable retry-tier
-- headers) are stored as separate rows: the source position is unique per variant, not alone.
-- The audit row says whether the action completed or failed part way.
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD COLUMN IF NOT EXISTS variant integer NOT NULL DEFAULT 0;
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  DROP CONSTRAINT IF EXISTS "${keel_prefix}dead_letter_source";
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dead_letter"
  ADD CONSTRAINT "${keel_prefix}dead_letter_source_variant"
  UNIQUE (consumer_group, topic, kafka_partition, kafka_offset, variant);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}dlq_audit"
  ADD COLUMN IF NOT EXISTS outcome varchar(1024) NOT NULL DEFAULT 'completed';
