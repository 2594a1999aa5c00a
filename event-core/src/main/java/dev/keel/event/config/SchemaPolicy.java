package dev.keel.event.config;

/**
 * What a component does about its tables when it starts. Set once on {@link KeelDatabase} (key
 * {@code keel.database.schema-policy}) and honoured by every component built from it.
 */
public enum SchemaPolicy {
  /**
   * Create or upgrade the component's tables at start (the default): the versioned scripts not yet
   * recorded in {@code <prefix>schema_version} are applied, under a lock, idempotently.
   */
  INSTALL,
  /**
   * Change nothing; at start, check that every script of the component is recorded as installed,
   * and fail with a {@link dev.keel.event.KeelConfigurationException} naming what is missing. For
   * teams whose migrations (Flyway, Liquibase) apply the scripts of {@code keel/sql/<dialect>/}.
   */
  VALIDATE,
  /**
   * Change and check nothing: the tables are someone else's business. A missing table still fails
   * as a {@link MissingSchemaException}: the outbox's at append and at the relay's start; the
   * consumer's and dead letters' at the consumer runtime's start, and the saga tables at the saga
   * orchestrator's start, each checked with a query that reads no row ({@link
   * KeelDatabase#requireTables(String, String...)}).
   */
  NONE
}
