package dev.keel.test;

import dev.keel.test.internal.EmbeddedPostgresServer;
import dev.keel.test.internal.JdbcServer;
import java.util.Map;
import java.util.Optional;

/**
 * A running database server for tests. Each test takes its own {@link IsolatedDatabase} (a
 * PostgreSQL schema, a MariaDB database, an H2 in-memory database) from it with {@link
 * #createIsolated(String)}.
 *
 * <pre>{@code
 * try (Database server = Database.postgres();
 *     IsolatedDatabase db = server.createIsolated("outbox")) {
 *   DataSource ds = db.dataSource();
 * }
 * }</pre>
 *
 * <p>Thread safety: all methods are safe to call from several threads.
 */
public interface Database extends AutoCloseable {

  /** Environment variable naming an external PostgreSQL ({@code jdbc:postgresql://...}). */
  String POSTGRES_URL_ENV = "KEEL_JDBC_URL";

  /** Environment variable naming an external MariaDB or MySQL ({@code jdbc:mariadb://...}). */
  String MARIADB_URL_ENV = "KEEL_MARIADB_URL";

  /**
   * PostgreSQL: the external server named by {@value #POSTGRES_URL_ENV}, or embedded PostgreSQL 17
   * binaries started now (also when running as root).
   */
  static Database postgres() {
    String url = System.getenv(POSTGRES_URL_ENV);
    if (url != null && !url.isBlank()) {
      return JdbcServer.external(DatabaseKind.POSTGRES, url.trim(), POSTGRES_URL_ENV);
    }
    return EmbeddedPostgresServer.start(Map.of());
  }

  /**
   * Embedded PostgreSQL with server settings, ignoring {@value #POSTGRES_URL_ENV}. Benchmarks use
   * it to turn {@code fsync} and {@code synchronous_commit} back on (the embedded defaults turn
   * them off).
   *
   * @param serverConfig {@code postgresql.conf} settings
   */
  static Database embeddedPostgres(Map<String, String> serverConfig) {
    return EmbeddedPostgresServer.start(serverConfig);
  }

  /** MariaDB named by {@value #MARIADB_URL_ENV}, or empty when the variable is not set. */
  static Optional<Database> mariadb() {
    String url = System.getenv(MARIADB_URL_ENV);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(JdbcServer.external(DatabaseKind.MARIADB, url.trim(), MARIADB_URL_ENV));
  }

  /** H2 in memory, for SQL-layer unit tests. */
  static Database h2() {
    return JdbcServer.h2();
  }

  /** Which engine this is. */
  DatabaseKind kind();

  /** A short description of the backend, for test logs (no passwords). */
  String describe();

  /**
   * Creates an empty, uniquely named schema (PostgreSQL) or database (MariaDB, H2) and a small
   * connection pool on it.
   *
   * @param hint a readable part of the name, such as the test class
   * @return the isolated database; closing it drops the schema and closes the pool
   */
  IsolatedDatabase createIsolated(String hint);

  /**
   * Whether the tests can stop this server and start it again ({@link #stop()}, {@link
   * #restart()}); true for embedded PostgreSQL only.
   */
  default boolean supportsRestart() {
    return false;
  }

  /**
   * Stops the server but keeps its data, to simulate an outage; open connections break.
   *
   * @throws UnsupportedOperationException when {@link #supportsRestart()} is false
   */
  default void stop() {
    throw new UnsupportedOperationException(describe() + " cannot be stopped by the tests");
  }

  /**
   * Starts a server stopped by {@link #stop()} again, on the same port with the same data.
   *
   * @throws UnsupportedOperationException when {@link #supportsRestart()} is false
   */
  default void restart() {
    throw new UnsupportedOperationException(describe() + " cannot be restarted by the tests");
  }

  /** Stops an embedded server; releases resources of an external one. */
  @Override
  void close();
}
