package dev.keel.test.internal;

import dev.keel.test.Database;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 started from the embedded binaries (zonky); it runs as root under user namespaces.
 */
public final class EmbeddedPostgresServer implements Database {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;
  private final JdbcServer server;
  private final Map<String, String> serverConfig;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Map<String, String> serverConfig) {
    this.postgres = postgres;
    this.serverConfig = serverConfig;
    String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    this.server =
        JdbcServer.create(DatabaseKind.POSTGRES, url, "postgres", "", describeEmbedded(postgres));
  }

  private static String describeEmbedded(EmbeddedPostgres pg) {
    return "embedded PostgreSQL 17 at 127.0.0.1:" + pg.getPort();
  }

  /**
   * Starts embedded PostgreSQL on a free port.
   *
   * @param serverConfig extra {@code postgresql.conf} settings
   */
  public static EmbeddedPostgresServer start(Map<String, String> serverConfig) {
    long started = System.nanoTime();
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("max_connections", "300")
              .setServerConfig("listen_addresses", "127.0.0.1");
      serverConfig.forEach(builder::setServerConfig);
      EmbeddedPostgres pg = builder.start();
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(pg, Map.copyOf(serverConfig));
      log.info(
          "Embedded PostgreSQL ready at 127.0.0.1:{} in {} ms (settings {})",
          pg.getPort(),
          (System.nanoTime() - started) / 1_000_000,
          serverConfig.isEmpty()
              ? "embedded defaults: fsync and synchronous_commit off"
              : serverConfig);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
    }
  }

  /** The port PostgreSQL listens on. */
  public int port() {
    return postgres.getPort();
  }

  /** The server settings this instance was started with beyond the embedded defaults. */
  public Map<String, String> serverConfig() {
    return serverConfig;
  }

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.POSTGRES;
  }

  @Override
  public String describe() {
    return server.describe();
  }

  @Override
  public IsolatedDatabase createIsolated(String hint) {
    return server.createIsolated(hint);
  }

  @Override
  public void close() {
    server.close();
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
