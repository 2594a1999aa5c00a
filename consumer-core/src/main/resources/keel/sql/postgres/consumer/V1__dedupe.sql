-- Keel consumer-core: one row per (consumer group, idempotency key) whose effects committed.
-- event_id holds the idempotency key: keel-event-id unless a listener names a business key.
-- Inserted with ON CONFLICT DO NOTHING in the handler's transaction; removed after the retention
-- window, in small batches, by the runtime's cleanup task.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}consumer_dedupe" (
  consumer_group varchar(255) NOT NULL,
  event_id       varchar(255) NOT NULL,
  processed_at   timestamptz NOT NULL,
  PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}consumer_dedupe_age"
  ON ${keel_schema_prefix}"${keel_prefix}consumer_dedupe" (consumer_group, processed_at);
