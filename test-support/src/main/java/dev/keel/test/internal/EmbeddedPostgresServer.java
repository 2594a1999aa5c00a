package dev.keel.test.internal;

import dev.keel.test.Database;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 started from the embedded binaries (zonky); as root it runs under a user namespace.
 * It can be stopped and started again on the same port and data, for outage tests.
 */
public final class EmbeddedPostgresServer implements Database {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  static {
    QuietServerLogging.apply(); // before the embedded server's own loggers exist
  }

  private static final int BIND_ATTEMPTS = 3;

  private final Path dataDir;
  private final int port;
  private final Map<String, String> serverConfig;
  private final JdbcServer server;
  private EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(Path dataDir, int port, Map<String, String> serverConfig) {
    this.dataDir = dataDir;
    this.port = port;
    this.serverConfig = serverConfig;
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    this.server =
        JdbcServer.create(
            DatabaseKind.POSTGRES,
            url,
            "postgres",
            "",
            "embedded PostgreSQL 17 at 127.0.0.1:" + port);
  }

  /**
   * Starts embedded PostgreSQL on a free port.
   *
   * @param serverConfig extra {@code postgresql.conf} settings
   */
  public static EmbeddedPostgresServer start(Map<String, String> serverConfig) {
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      Path dir = null;
      int port = FreePorts.find();
      try {
        dir = Files.createTempDirectory("keel-pg-");
        EmbeddedPostgresServer server =
            new EmbeddedPostgresServer(dir, port, Map.copyOf(serverConfig));
        server.launch();
        log.info(
            "Embedded PostgreSQL ready at 127.0.0.1:{} in {} ms (settings {})",
            server.port,
            (System.nanoTime() - started) / 1_000_000,
            serverConfig.isEmpty()
                ? "embedded defaults: fsync and synchronous_commit off"
                : serverConfig);
        return server;
      } catch (IOException | RuntimeException e) {
        if (dir != null) {
          Directories.deleteRecursively(dir);
        }
        // The port was free when found; when it is taken now, another process bound it first.
        if (attempt < BIND_ATTEMPTS && !FreePorts.isFree(port)) {
          log.warn(
              "Embedded PostgreSQL could not start on port {}, taken meanwhile (attempt {} of {});"
                  + " trying another",
              port,
              attempt,
              BIND_ATTEMPTS);
          continue;
        }
        if (e instanceof IOException io) {
          throw new UncheckedIOException("Could not start embedded PostgreSQL", io);
        }
        throw (RuntimeException) e;
      }
    }
  }

  private synchronized void launch() throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "300")
            .setServerConfig("listen_addresses", "127.0.0.1");
    serverConfig.forEach(builder::setServerConfig);
    postgres = builder.start();
  }

  /** The port PostgreSQL listens on. */
  public int port() {
    return port;
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
  public boolean supportsRestart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Embedded PostgreSQL did not stop", e);
      }
      postgres = null;
      log.info("Embedded PostgreSQL at 127.0.0.1:{} stopped (data kept)", port);
    }
  }

  @Override
  public synchronized void restart() {
    if (postgres == null) {
      try {
        launch();
      } catch (IOException e) {
        throw new UncheckedIOException("Embedded PostgreSQL did not start again", e);
      }
      log.info("Embedded PostgreSQL at 127.0.0.1:{} started again", port);
    }
  }

  @Override
  public synchronized void close() {
    server.close();
    try {
      stop();
    } catch (UncheckedIOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
    Directories.deleteRecursively(dataDir);
  }
}
