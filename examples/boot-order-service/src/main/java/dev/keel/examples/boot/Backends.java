package dev.keel.examples.boot;

import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and database the service runs on when started by {@link OrderServiceApplication}: the
 * external ones named by {@code KEEL_KAFKA_BOOTSTRAP} and {@code KEEL_JDBC_URL}, or keel-test's
 * embedded Kafka broker and PostgreSQL, handed to Spring as {@code spring.kafka.bootstrap-servers}
 * and {@code spring.datasource.*}.
 */
final class Backends implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Backends.class);
  private final KafkaBroker kafka;
  private final Database postgres;
  private final IsolatedDatabase db;
  private final Map<String, Object> properties = new HashMap<>();

  private Backends(KafkaBroker kafka, Database postgres, IsolatedDatabase db) {
    this.kafka = kafka;
    this.postgres = postgres;
    this.db = db;
  }

  static Backends start() {
    KafkaBroker kafka = KafkaBroker.start(); // KEEL_KAFKA_BOOTSTRAP, or embedded
    Database postgres = null;
    IsolatedDatabase db = null;
    try {
      kafka.createTopic(OrderPlaced.TOPIC, 3);
      Backends b;
      String url = System.getenv(Database.POSTGRES_URL_ENV);
      if (url != null && !url.isBlank()) {
        b = new Backends(kafka, null, null);
        b.properties.put("spring.datasource.url", url.trim());
      } else {
        postgres = Database.postgres();
        db = postgres.createIsolated("orders");
        b = new Backends(kafka, postgres, db);
        b.properties.put("spring.datasource.url", db.jdbcUrl());
        b.properties.put("spring.datasource.username", db.user());
        b.properties.put("spring.datasource.password", db.password());
        // Embedded PostgreSQL stops with the JVM, while the application is still closing: keep
        // the pool's wait for a connection short so that shutdown does not hang on it.
        b.properties.put("spring.datasource.hikari.connection-timeout", "3000");
      }
      b.properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
      log.info(
          "Kafka: {}; PostgreSQL: {}",
          kafka.describe(),
          postgres == null ? "KEEL_JDBC_URL" : postgres.describe());
      return b;
    } catch (RuntimeException e) {
      if (db != null) {
        db.close();
      }
      if (postgres != null) {
        postgres.close();
      }
      kafka.close();
      throw e;
    }
  }

  Map<String, Object> properties() {
    return properties;
  }

  @Override
  public void close() {
    if (db != null) {
      db.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    kafka.close();
  }
}
