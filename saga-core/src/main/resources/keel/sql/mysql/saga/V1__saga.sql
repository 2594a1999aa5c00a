-- Keel saga-core, MySQL 8.0+ / MariaDB 10.6+ (InnoDB): one row per saga instance. data holds the saga data as JSON (no size cap),
-- data_version the version of its shape. deadline is the step timeout or the next retry time;
-- any orchestrator instance claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}saga` (
  id                 CHAR(36)     NOT NULL PRIMARY KEY,
  name               VARCHAR(255) NOT NULL,
  definition_version int          NOT NULL,
  state              VARCHAR(32)  NOT NULL,
  step_index         int          NOT NULL,
  step_name          VARCHAR(255),
  phase              VARCHAR(16)  NOT NULL,
  attempt            int          NOT NULL,
  data               LONGTEXT       NOT NULL,
  data_version       int          NOT NULL,
  deadline           TIMESTAMP(6) NULL,
  lock_version       bigint       NOT NULL,
  log_seq            int          NOT NULL,
  created_at         TIMESTAMP(6) NOT NULL,
  updated_at         TIMESTAMP(6) NOT NULL,
  step_started_at    TIMESTAMP(6) NOT NULL,
  last_progress_at   TIMESTAMP(6) NOT NULL,
  failure_reason     LONGTEXT,
  resolved_by        VARCHAR(255),
  resolved_at        TIMESTAMP(6) NULL,
  resolution         LONGTEXT,
  KEY `${keel_prefix}saga_deadline` (deadline),
  KEY `${keel_prefix}saga_state` (state, last_progress_at)
) ENGINE=InnoDB;

-- The step log: every command sent, reply applied, timeout, retry and compensation, in order.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}saga_step_log` (
  saga_id  CHAR(36)     NOT NULL,
  seq      int          NOT NULL,
  step     VARCHAR(255),
  kind     VARCHAR(32)  NOT NULL,
  attempt  int          NOT NULL,
  at       TIMESTAMP(6) NOT NULL,
  detail   LONGTEXT,
  PRIMARY KEY (saga_id, seq)
) ENGINE=InnoDB;

-- Operator actions on sagas (retry of a compensation, resolution by hand).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}saga_audit` (
  id       BIGINT AUTO_INCREMENT NOT NULL PRIMARY KEY,
  saga_id  CHAR(36)     NOT NULL,
  action   VARCHAR(32)  NOT NULL,
  actor    VARCHAR(255) NOT NULL,
  reason   LONGTEXT,
  at       TIMESTAMP(6) NOT NULL,
  KEY `${keel_prefix}saga_audit_saga` (saga_id)
) ENGINE=InnoDB;

-- Participants: what each participant group did for one saga step, for idempotent actions,
-- empty compensations (compensation before action) and anti-hanging (action after compensation).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}saga_participant` (
  participant_group VARCHAR(255) NOT NULL,
  saga_id           VARCHAR(64)  NOT NULL,
  step              VARCHAR(255) NOT NULL,
  action_state      VARCHAR(32)  NOT NULL,
  reply_type        VARCHAR(255),
  reply_payload     LONGTEXT,
  updated_at        TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (participant_group, saga_id, step)
) ENGINE=InnoDB;
