-- Keel saga-core, MySQL 8.0+ / MariaDB 10.6+: every time becomes DATETIME(6) holding UTC, as Keel's
-- other tables on MySQL, so that what a row says does not depend on the JVM's or the session's time
-- zone. MySQL converts TIMESTAMP to DATETIME in the session time zone: the conversion runs at UTC,
-- and the session's zone is restored afterwards. Existing rows keep their instants provided they
-- were written by JVMs whose default zone was the server session's (the only setup where the
-- earlier TIMESTAMP binding was right). The ALTERs rebuild the tables.
SET @keel_time_zone = @@session.time_zone;
SET time_zone = '+00:00';
ALTER TABLE ${keel_schema_prefix}`${keel_prefix}saga`
  MODIFY deadline         DATETIME(6) NULL,
  MODIFY created_at       DATETIME(6) NOT NULL,
  MODIFY updated_at       DATETIME(6) NOT NULL,
  MODIFY step_started_at  DATETIME(6) NOT NULL,
  MODIFY last_progress_at DATETIME(6) NOT NULL,
  MODIFY resolved_at      DATETIME(6) NULL;
ALTER TABLE ${keel_schema_prefix}`${keel_prefix}saga_step_log`
  MODIFY at DATETIME(6) NOT NULL;
ALTER TABLE ${keel_schema_prefix}`${keel_prefix}saga_audit`
  MODIFY at DATETIME(6) NOT NULL;
ALTER TABLE ${keel_schema_prefix}`${keel_prefix}saga_participant`
  MODIFY updated_at DATETIME(6) NOT NULL;
SET time_zone = @keel_time_zone;
