-- Keel transactional outbox, MySQL 8.0+ / MariaDB 10.6+ (InnoDB).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}outbox` (
  id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  lane             INT NOT NULL,
  event_id         CHAR(36) CHARACTER SET ascii NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  event_key        TEXT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          JSON,
  payload          LONGBLOB NOT NULL,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  attempts         INT NOT NULL DEFAULT 0,
  last_error       TEXT,
  UNIQUE KEY `${keel_prefix}outbox_event_id` (event_id),
  KEY `${keel_prefix}outbox_lane_id` (lane, id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}outbox_lease` (
  lane       INT NOT NULL PRIMARY KEY,
  owner      VARCHAR(255),
  epoch      BIGINT NOT NULL DEFAULT 0,
  expires_at TIMESTAMP(6) NULL,
  stopped    TEXT
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}outbox_member` (
  owner      VARCHAR(255) NOT NULL PRIMARY KEY,
  lanes      INT NOT NULL,
  expires_at TIMESTAMP(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}outbox_quarantine` (
  event_id         CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  original_id      BIGINT NOT NULL,
  lane             INT NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  event_key        TEXT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          JSON,
  payload          LONGBLOB NOT NULL,
  created_at       TIMESTAMP(6) NOT NULL,
  attempts         INT NOT NULL,
  error            TEXT NOT NULL,
  quarantined_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}outbox_published` (
  id               BIGINT NOT NULL PRIMARY KEY,
  lane             INT NOT NULL,
  event_id         CHAR(36) CHARACTER SET ascii NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  event_key        TEXT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          JSON,
  payload          LONGBLOB NOT NULL,
  created_at       TIMESTAMP(6) NOT NULL,
  published_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY `${keel_prefix}outbox_published_at` (published_at)
) ENGINE=InnoDB;
