CREATE INDEX IF NOT EXISTS "${keel_prefix}selftest_created" ON ${keel_schema_prefix}"${keel_prefix}selftest" (created_at);
