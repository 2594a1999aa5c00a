-- Keel consumer-core, MySQL 8.0+ / MariaDB 10.6+ (InnoDB). Inserted with INSERT IGNORE.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}consumer_dedupe` (
  consumer_group VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  event_id       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  processed_at   TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (consumer_group, event_id),
  KEY `${keel_prefix}consumer_dedupe_age` (consumer_group, processed_at)
) ENGINE=InnoDB;
