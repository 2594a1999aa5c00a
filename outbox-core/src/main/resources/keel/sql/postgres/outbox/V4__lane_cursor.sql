-- Keel outbox, PostgreSQL: a cursor per lane for relays that claim behind cursors
-- (keel.relay.cursor-claims). Every row of the lane with an id up to published_to was published
-- (or quarantined); rows up to it are deleted in the background. Relays that delete as they
-- publish leave it at 0.
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}outbox_lease"
  ADD COLUMN IF NOT EXISTS published_to bigint NOT NULL DEFAULT 0;
