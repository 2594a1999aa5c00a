-- Keel transactional outbox, H2 2.x (unit tests of the SQL layer only).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox" (
  id               BIGINT AUTO_INCREMENT PRIMARY KEY,
  lane             INT NOT NULL,
  event_id         UUID NOT NULL UNIQUE,
  topic            VARCHAR(249) NOT NULL,
  event_key        CHARACTER LARGE OBJECT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          CHARACTER LARGE OBJECT,
  payload          BINARY LARGE OBJECT NOT NULL,
  created_at       TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  attempts         INT DEFAULT 0 NOT NULL,
  last_error       CHARACTER LARGE OBJECT
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}outbox_lane_id" ON ${keel_schema_prefix}"${keel_prefix}outbox" (lane, id);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_lease" (
  lane       INT PRIMARY KEY,
  owner      VARCHAR(255),
  epoch      BIGINT DEFAULT 0 NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE,
  stopped    CHARACTER LARGE OBJECT
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_member" (
  owner      VARCHAR(255) PRIMARY KEY,
  lanes      INT NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_quarantine" (
  event_id         UUID PRIMARY KEY,
  original_id      BIGINT NOT NULL,
  lane             INT NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  event_key        CHARACTER LARGE OBJECT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          CHARACTER LARGE OBJECT,
  payload          BINARY LARGE OBJECT NOT NULL,
  created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  attempts         INT NOT NULL,
  error            CHARACTER LARGE OBJECT NOT NULL,
  quarantined_at   TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}outbox_published" (
  id               BIGINT PRIMARY KEY,
  lane             INT NOT NULL,
  event_id         UUID NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  event_key        CHARACTER LARGE OBJECT,
  event_type       VARCHAR(249) NOT NULL,
  contract_version INT NOT NULL,
  headers          CHARACTER LARGE OBJECT,
  payload          BINARY LARGE OBJECT NOT NULL,
  created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  published_at     TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);
