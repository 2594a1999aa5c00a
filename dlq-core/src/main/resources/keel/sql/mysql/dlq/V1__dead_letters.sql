-- Keel dlq-core: dead letters, keys blocked in ordered mode, parked records, operator audit.
-- MySQL 8 / MariaDB 10.6+; times are UTC in DATETIME(6).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}dead_letter` (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset bigint NOT NULL,
  record_key longblob,
  key_hash char(64),
  key_text longtext,
  event_id varchar(64),
  reason varchar(32) NOT NULL,
  exception_class varchar(1024),
  exception_message longtext,
  stack_trace longtext,
  attempts int NOT NULL,
  first_failure datetime(6) NOT NULL,
  last_failure datetime(6) NOT NULL,
  created_at datetime(6) NOT NULL,
  headers json NOT NULL,
  payload longblob,
  dlq_topic varchar(249),
  dlq_partition int,
  dlq_offset bigint,
  status varchar(16) NOT NULL,
  replay_count int NOT NULL DEFAULT 0,
  resolved_at datetime(6),
  resolved_by varchar(255),
  UNIQUE KEY `${keel_prefix}dead_letter_source` (consumer_group, topic, kafka_partition, kafka_offset),
  KEY `${keel_prefix}dead_letter_topic_time` (topic, created_at),
  KEY `${keel_prefix}dead_letter_group_time` (consumer_group, created_at),
  KEY `${keel_prefix}dead_letter_reason_time` (reason, created_at),
  KEY `${keel_prefix}dead_letter_key` (key_hash),
  KEY `${keel_prefix}dead_letter_status` (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}dlq_blocked_key` (
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  key_hash char(64) NOT NULL,
  record_key longblob NOT NULL,
  dead_letter_id bigint NOT NULL,
  blocked_at datetime(6) NOT NULL,
  PRIMARY KEY (consumer_group, topic, key_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}dlq_parked` (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  consumer_group varchar(255) NOT NULL,
  topic varchar(249) NOT NULL,
  key_hash char(64) NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset bigint NOT NULL,
  record_key longblob NOT NULL,
  headers json NOT NULL,
  payload longblob,
  parked_at datetime(6) NOT NULL,
  UNIQUE KEY `${keel_prefix}dlq_parked_source` (consumer_group, topic, kafka_partition, kafka_offset),
  KEY `${keel_prefix}dlq_parked_key` (consumer_group, topic, key_hash, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}dlq_audit` (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at datetime(6) NOT NULL,
  actor varchar(255) NOT NULL,
  action varchar(32) NOT NULL,
  selection longtext NOT NULL,
  target varchar(249),
  records int NOT NULL,
  parked_records int NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
