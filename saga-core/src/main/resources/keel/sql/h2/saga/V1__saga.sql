-- Keel saga-core, H2 2.x (unit tests of the SQL layer only): one row per saga instance. data holds the saga data as JSON (no size cap),
-- data_version the version of its shape. deadline is the step timeout or the next retry time;
-- any orchestrator instance claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}saga" (
  id                 uuid         NOT NULL PRIMARY KEY,
  name               varchar(255) NOT NULL,
  definition_version int          NOT NULL,
  state              varchar(32)  NOT NULL,
  step_index         int          NOT NULL,
  step_name          varchar(255),
  phase              varchar(16)  NOT NULL,
  attempt            int          NOT NULL,
  data               CLOB         NOT NULL,
  data_version       int          NOT NULL,
  deadline           TIMESTAMP WITH TIME ZONE,
  lock_version       bigint       NOT NULL,
  log_seq            int          NOT NULL,
  created_at         TIMESTAMP WITH TIME ZONE  NOT NULL,
  updated_at         TIMESTAMP WITH TIME ZONE  NOT NULL,
  step_started_at    TIMESTAMP WITH TIME ZONE  NOT NULL,
  last_progress_at   TIMESTAMP WITH TIME ZONE  NOT NULL,
  failure_reason     CLOB,
  resolved_by        varchar(255),
  resolved_at        TIMESTAMP WITH TIME ZONE,
  resolution         CLOB
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}saga_deadline"
  ON ${keel_schema_prefix}"${keel_prefix}saga" (deadline);
CREATE INDEX IF NOT EXISTS "${keel_prefix}saga_state"
  ON ${keel_schema_prefix}"${keel_prefix}saga" (state, last_progress_at);

-- The step log: every command sent, reply applied, timeout, retry and compensation, in order.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}saga_step_log" (
  saga_id  uuid         NOT NULL,
  seq      int          NOT NULL,
  step     varchar(255),
  kind     varchar(32)  NOT NULL,
  attempt  int          NOT NULL,
  at       TIMESTAMP WITH TIME ZONE  NOT NULL,
  detail   CLOB,
  PRIMARY KEY (saga_id, seq)
);

-- Operator actions on sagas (retry of a compensation, resolution by hand).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}saga_audit" (
  id       BIGINT AUTO_INCREMENT NOT NULL PRIMARY KEY,
  saga_id  uuid         NOT NULL,
  action   varchar(32)  NOT NULL,
  actor    varchar(255) NOT NULL,
  reason   CLOB,
  at       TIMESTAMP WITH TIME ZONE  NOT NULL
);
CREATE INDEX IF NOT EXISTS "${keel_prefix}saga_audit_saga"
  ON ${keel_schema_prefix}"${keel_prefix}saga_audit" (saga_id);

-- Participants: what each participant group did for one saga step, for idempotent actions,
-- empty compensations (compensation before action) and anti-hanging (action after compensation).
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}"${keel_prefix}saga_participant" (
  participant_group varchar(255) NOT NULL,
  saga_id           varchar(64)  NOT NULL,
  step              varchar(255) NOT NULL,
  action_state      varchar(32)  NOT NULL,
  reply_type        varchar(255),
  reply_payload     CLOB,
  updated_at        TIMESTAMP WITH TIME ZONE  NOT NULL,
  PRIMARY KEY (participant_group, saga_id, step)
);
