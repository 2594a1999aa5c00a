package dev.keel.test.internal;

import dev.keel.test.Database;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Kafka and PostgreSQL in Docker containers, for machines that have a Docker engine. */
public final class ContainerBackends {
  private static final String KAFKA_IMAGE = "apache/kafka:4.4.0";
  private static final String POSTGRES_IMAGE = "postgres:17";

  private ContainerBackends() {}

  /** Whether a Docker engine answers. */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Starts a Kafka container. */
  public static KafkaBroker kafka() {
    KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
    container.start();
    ExternalKafkaBroker broker = new ExternalKafkaBroker(container.getBootstrapServers());
    return new KafkaBroker() {
      @Override
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      @Override
      public String describe() {
        return "Kafka container " + KAFKA_IMAGE + " at " + bootstrapServers();
      }

      @Override
      public void createTopic(String name, int partitions) {
        broker.createTopic(name, partitions);
      }

      @Override
      public boolean supportsRestart() {
        return false;
      }

      @Override
      public void stop() {
        broker.stop();
      }

      @Override
      public void restart() {
        broker.restart();
      }

      @Override
      public void close() {
        broker.close();
        container.stop();
      }
    };
  }

  /** Starts a PostgreSQL container. */
  public static Database postgres() {
    PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
    container.start();
    String url =
        container.getJdbcUrl()
            + (container.getJdbcUrl().contains("?") ? "&" : "?")
            + "user="
            + container.getUsername()
            + "&password="
            + container.getPassword();
    JdbcServer server = JdbcServer.external(DatabaseKind.POSTGRES, url, "Testcontainers");
    return new Database() {
      @Override
      public DatabaseKind kind() {
        return DatabaseKind.POSTGRES;
      }

      @Override
      public String describe() {
        return "PostgreSQL container " + POSTGRES_IMAGE;
      }

      @Override
      public IsolatedDatabase createIsolated(String hint) {
        return server.createIsolated(hint);
      }

      @Override
      public void close() {
        server.close();
        container.stop();
      }
    };
  }
}
