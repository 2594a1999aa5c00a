-- Keel dlq-core: dead letters, keys blocked in ordered mode, parked records, operator audit.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}dead_letter" (
  id bigserial PRIMARY KEY,
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  record_key bytea,
  key_hash char(64),
  key_text text,
  event_id varchar(64),
  reason varchar(32) NOT NULL,
  exception_class varchar(1024),
  exception_message text,
  stack_trace text,
  attempts integer NOT NULL,
  first_failure timestamptz NOT NULL,
  last_failure timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  headers jsonb NOT NULL,
  payload bytea,
  dlq_topic varchar(249),
  dlq_partition integer,
  dlq_offset bigint,
  status varchar(16) NOT NULL,
  replay_count integer NOT NULL DEFAULT 0,
  resolved_at timestamptz,
  resolved_by varchar(255),
  CONSTRAINT "${keel_prefix}dead_letter_source" UNIQUE (consumer_group, topic, kafka_partition, kafka_offset)
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dead_letter_topic_time"
  ON ${keel_schema_prefix}"${keel_prefix}dead_letter" (topic, created_at);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dead_letter_group_time"
  ON ${keel_schema_prefix}"${keel_prefix}dead_letter" (consumer_group, created_at);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dead_letter_reason_time"
  ON ${keel_schema_prefix}"${keel_prefix}dead_letter" (reason, created_at);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dead_letter_key"
  ON ${keel_schema_prefix}"${keel_prefix}dead_letter" (key_hash);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dead_letter_status"
  ON ${keel_schema_prefix}"${keel_prefix}dead_letter" (status, id);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}dlq_blocked_key" (
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  key_hash char(64) NOT NULL,
  record_key bytea NOT NULL,
  dead_letter_id bigint NOT NULL,
  blocked_at timestamptz NOT NULL,
  PRIMARY KEY (consumer_group, topic, key_hash)
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}dlq_parked" (
  id bigserial PRIMARY KEY,
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  key_hash char(64) NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  record_key bytea NOT NULL,
  headers jsonb NOT NULL,
  payload bytea,
  parked_at timestamptz NOT NULL,
  CONSTRAINT "${keel_prefix}dlq_parked_source" UNIQUE (consumer_group, topic, kafka_partition, kafka_offset)
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}dlq_parked_key"
  ON ${keel_schema_prefix}"${keel_prefix}dlq_parked" (consumer_group, topic, key_hash, id);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}dlq_audit" (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor varchar(255) NOT NULL,
  action varchar(32) NOT NULL,
  selection text NOT NULL,
  target varchar(249),
  records integer NOT NULL,
  parked_records integer NOT NULL
);
