-- Keel consumer-core, MySQL 8.0+ / MariaDB 10.6+: processed_at becomes DATETIME(6) holding UTC, as
-- Keel's other tables on MySQL, so that retention does not depend on the JVM's or the session's
-- time zone. MySQL converts TIMESTAMP to DATETIME in the session time zone: the conversion runs at
-- UTC, and the session's zone is restored afterwards. The ALTER rebuilds the table.
SET @keel_time_zone = @@session.time_zone;
SET time_zone = '+00:00';
ALTER TABLE ${keel_schema_prefix}`${keel_prefix}consumer_dedupe`
  MODIFY processed_at DATETIME(6) NOT NULL;
SET time_zone = @keel_time_zone;
