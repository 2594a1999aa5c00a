package dev.keel.test.internal;

import dev.keel.test.Database;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database server reached by JDBC URL. Isolation is a schema on PostgreSQL, a database on MariaDB
 * and an in-memory database on H2.
 */
public final class JdbcServer implements Database {
  private static final Logger log = LoggerFactory.getLogger(JdbcServer.class);
  private static final Pattern DATABASE_IN_URL =
      Pattern.compile("^(jdbc:(?:mariadb|mysql)://[^/?]+/)([^?]*)(\\?.*)?$");

  private final DatabaseKind kind;
  private final String url;
  private final String user;
  private final String password;
  private final String description;

  private JdbcServer(
      DatabaseKind kind, String url, String user, String password, String description) {
    this.kind = kind;
    this.url = url;
    this.user = user;
    this.password = password;
    this.description = description;
  }

  static JdbcServer create(
      DatabaseKind kind, String url, String user, String password, String description) {
    return new JdbcServer(kind, url, user, password, description);
  }

  /**
   * An external server given by URL; user and password are read from its query parameters.
   *
   * @param kind the engine
   * @param url the JDBC URL
   * @param env the environment variable the URL came from, for the description
   */
  public static JdbcServer external(DatabaseKind kind, String url, String env) {
    requireUrlOf(kind, url, env);
    String user = JdbcUrls.parameter(url, "user").orElse(System.getProperty("user.name"));
    String password = JdbcUrls.parameter(url, "password").orElse("");
    JdbcServer server =
        new JdbcServer(
            kind,
            url,
            user,
            password,
            "external " + kind + " at " + redact(url) + " (" + env + ")");
    server.checkReachable();
    return server;
  }

  /**
   * Rejects a URL of another engine: a PostgreSQL server needs {@code jdbc:postgresql:}, a MariaDB
   * one {@code jdbc:mariadb:} or {@code jdbc:mysql:}.
   */
  static void requireUrlOf(DatabaseKind kind, String url, String env) {
    boolean ok;
    String expected;
    switch (kind) {
      case POSTGRES:
        expected = "jdbc:postgresql:";
        ok = url.startsWith(expected);
        break;
      case MARIADB:
        expected = "jdbc:mariadb: or jdbc:mysql:";
        ok = url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:");
        break;
      default:
        throw new IllegalArgumentException(
            env + ": an external " + kind + " server is not supported, was " + redact(url));
    }
    if (!ok) {
      throw new IllegalArgumentException(
          env
              + " names a "
              + kind
              + " server and must start with "
              + expected
              + ", was "
              + redact(url));
    }
  }

  /** An H2 engine in this JVM. */
  public static JdbcServer h2() {
    return new JdbcServer(
        DatabaseKind.H2, "jdbc:h2:mem:", "sa", "", "H2 in memory (unit tests only)");
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private void checkReachable() {
    try (Connection ignored = connect(url)) {
      log.info("Using {}", description);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot connect to " + description + ": " + e.getMessage(), e);
    }
  }

  private Connection connect(String jdbcUrl) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  @Override
  public DatabaseKind kind() {
    return kind;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public IsolatedDatabase createIsolated(String hint) {
    String name = uniqueName(hint);
    String isolatedUrl;
    try {
      switch (kind) {
        case POSTGRES:
          execute(url, "CREATE SCHEMA \"" + name + "\"");
          isolatedUrl = JdbcUrls.withParameter(url, "currentSchema", name);
          break;
        case MARIADB:
          execute(url, "CREATE DATABASE `" + name + "`");
          isolatedUrl = replaceDatabase(name);
          break;
        case H2:
          isolatedUrl = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
          break;
        default:
          throw new IllegalStateException("Unknown kind " + kind);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create " + name + " on " + description, e);
    }
    return new PooledIsolatedDatabase(kind, name, isolatedUrl, user, password, this::drop);
  }

  private String replaceDatabase(String name) {
    Matcher m = DATABASE_IN_URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("Cannot find the database name in " + redact(url));
    }
    return m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
  }

  private void drop(PooledIsolatedDatabase db) {
    try {
      switch (kind) {
        case POSTGRES:
          execute(url, "DROP SCHEMA IF EXISTS \"" + db.name() + "\" CASCADE");
          break;
        case MARIADB:
          execute(url, "DROP DATABASE IF EXISTS `" + db.name() + "`");
          break;
        case H2:
          execute(db.jdbcUrl(), "SHUTDOWN");
          break;
        default:
          break;
      }
    } catch (SQLException e) {
      log.warn("Could not drop {} on {}: {}", db.name(), description, e.getMessage());
    }
  }

  private void execute(String jdbcUrl, String sql) throws SQLException {
    try (Connection c = connect(jdbcUrl);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String uniqueName(String hint) {
    String base = hint == null ? "" : hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (base.length() > 24) {
      base = base.substring(base.length() - 24);
    }
    return "kt_" + base + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  @Override
  public void close() {
    // Nothing is held open between isolated databases.
  }
}
