-- MySQL 8 has no CREATE INDEX IF NOT EXISTS: indexes are declared inside CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS ${keel_schema_prefix}`${keel_prefix}selftest_audit` (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  INDEX `${keel_prefix}selftest_audit_created` (created_at)
) ENGINE=InnoDB;
