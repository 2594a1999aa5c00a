-- Replies are authenticated: command_id is the event id of the command the saga waits on (a reply
-- must echo it in keel-saga-command-id); secret derives the per-step token (keel-saga-step-token)
-- that a participant stores with an applied action and requires on its compensation.
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}saga"
  ADD COLUMN IF NOT EXISTS command_id varchar(36);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}saga"
  ADD COLUMN IF NOT EXISTS secret varchar(64);
ALTER TABLE ${keel_schema_prefix}"${keel_prefix}saga_participant"
  ADD COLUMN IF NOT EXISTS step_token varchar(64);
