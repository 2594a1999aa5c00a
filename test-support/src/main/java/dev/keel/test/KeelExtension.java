package dev.keel.test;

/**
 * The JUnit 5 extension behind {@link KeelTest}: the embedded broker and PostgreSQL (or the
 * external ones named by {@code KEEL_KAFKA_BOOTSTRAP} and {@code KEEL_JDBC_URL}), shared by the
 * whole run.
 */
public final class KeelExtension extends BackendExtension {
  @Override
  KafkaBroker startBroker() {
    return KafkaBroker.start();
  }

  @Override
  Database startPostgres() {
    return Database.postgres();
  }
}
