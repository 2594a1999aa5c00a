-- Keel outbox, PostgreSQL: the wake-up notification can be switched off.
-- PostgreSQL lets one notifying transaction commit at a time, so with many concurrent appenders
-- the notification costs commit throughput. With keel.outbox_notify = 'off' (per database, role or
-- session: ALTER DATABASE ... SET keel.outbox_notify = 'off') appends notify nothing; relays then
-- find rows by polling (keel.relay.listen-notify=false, keel.relay.poll-interval).
CREATE OR REPLACE FUNCTION ${keel_schema_prefix}"${keel_prefix}outbox_notify"() RETURNS trigger AS $$
BEGIN
  IF COALESCE(current_setting('keel.outbox_notify', true), '') <> 'off' THEN
    PERFORM pg_notify('${keel_prefix}outbox', '');
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
