package dev.keel.event.sql;

import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.internal.SqlStatements;
import dev.keel.event.support.SqlStates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades Keel's tables from versioned plain SQL scripts, one set per dialect, kept on
 * the classpath at {@code keel/sql/<dialect>/<component>/V<n>__<description>.sql} and listed in
 * that folder's {@code index} file. Applied versions are recorded in {@code
 * <prefix>schema_version}; installing again applies nothing, and the scripts themselves are
 * idempotent ({@code IF NOT EXISTS}) so that two instances starting together are safe.
 *
 * <p>Teams that manage schemas with Flyway or Liquibase can take the same scripts (see {@link
 * #render(String)}) and set the placeholders {@code keel_prefix} and {@code keel_schema_prefix}.
 *
 * <pre>{@code
 * SchemaInstaller.builder().dataSource(ds).build().install("outbox");
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class SchemaInstaller {
  private static final Logger log = LoggerFactory.getLogger(SchemaInstaller.class);
  private static final Pattern SCRIPT = Pattern.compile("V([0-9]{1,6})__([a-z0-9_]+)\\.sql");
  private static final Pattern COMPONENT = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final long PG_LOCK_KEY = 0x6b65656cL; // "keel"
  private static final String MYSQL_LOCK_NAME = "keel_schema_install";
  private static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final TableNames names;
  private final ClassLoader loader;
  private final Duration lockTimeout;

  private SchemaInstaller(Builder b) {
    this.dataSource = b.dataSource;
    this.dialect = b.dialect != null ? b.dialect : SqlDialect.detect(b.dataSource);
    this.names = b.names;
    this.loader = b.loader;
    this.lockTimeout = b.lockTimeout;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The dialect in use. */
  public SqlDialect dialect() {
    return dialect;
  }

  /**
   * Applies every script of a component that is not yet recorded.
   *
   * @param component such as {@code outbox}, {@code dlq}, {@code consumer}, {@code saga}
   * @return the scripts applied now, in order (empty when already up to date)
   * @throws FatalKeelException when a script fails; the message names it
   * @throws RetriableKeelException when another installer held the MySQL/MariaDB install lock for
   *     too long (60 s); installing again later is safe
   */
  public List<String> install(String component) {
    List<Script> scripts = scripts(component);
    List<String> applied = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      // Scripts may set the session's time zone (MySQL converts TIMESTAMP columns in it); the
      // connection goes back to its pool with the zone it came with, even when a script fails.
      String zone = sessionTimeZone(c);
      c.setAutoCommit(false);
      try {
        lock(c, component);
        createVersionTable(c);
        c.commit();
        for (Script s : scripts) {
          // Each script runs under the lock, after reading what other installers committed.
          lockAgain(c, component);
          if (s.version <= installedVersion(c, component)) {
            c.commit();
            continue;
          }
          apply(c, s);
          record(c, component, s);
          c.commit();
          applied.add(s.fileName);
          log.info("Keel schema: applied {}/{} on {} ({})", component, s.fileName, dialect, names);
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        unlock(c);
        restoreTimeZone(c, zone);
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new FatalKeelException(
          "Keel schema: installing "
              + component
              + " on "
              + dialect
              + " ("
              + names
              + ") failed: "
              + e.getMessage(),
          e);
    }
    return applied;
  }

  /**
   * The highest version of a component recorded as installed, or 0.
   *
   * @param component the component
   */
  public int installedVersion(String component) {
    try (Connection c = dataSource.getConnection()) {
      createVersionTable(c);
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return installedVersion(c, component);
    } catch (SQLException e) {
      throw new FatalKeelException(
          "Keel schema: cannot read installed versions: " + e.getMessage(), e);
    }
  }

  /**
   * The component's scripts not yet recorded as installed, in order, without changing anything (not
   * even creating the version table): empty when the component is up to date.
   *
   * @param component the component
   * @throws FatalKeelException when the versions cannot be read
   */
  public List<String> pending(String component) {
    List<Script> scripts = scripts(component);
    int installed;
    try (Connection c = dataSource.getConnection()) {
      try {
        installed = installedVersion(c, component);
      } catch (SQLException e) {
        if (!SqlStates.isUndefinedTable(e.getSQLState())) {
          throw e;
        }
        installed = 0;
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
    } catch (SQLException e) {
      throw new FatalKeelException(
          "Keel schema: cannot read installed versions: " + e.getMessage(), e);
    }
    List<String> pending = new ArrayList<>();
    for (Script s : scripts) {
      if (s.version > installed) {
        pending.add(s.fileName);
      }
    }
    return pending;
  }

  /**
   * The component's scripts with placeholders filled in, for review or for a migration tool.
   *
   * @param component the component
   */
  public String render(String component) {
    StringBuilder b = new StringBuilder();
    for (Script s : scripts(component)) {
      b.append("-- ").append(component).append('/').append(s.fileName).append('\n');
      b.append(s.sql).append('\n');
    }
    return b.toString();
  }

  /**
   * The component's migrations in version order, placeholders filled in and each split into its
   * statements: what a migration tool needs to apply them as Keel's installer does.
   *
   * @param component the component
   * @return the migrations, oldest first
   */
  public List<Migration> migrations(String component) {
    List<Migration> out = new ArrayList<>();
    for (Script s : scripts(component)) {
      out.add(new Migration(s.version, s.fileName, SqlStatements.split(s.sql)));
    }
    return out;
  }

  /**
   * One of a component's migration scripts.
   *
   * @param version its version, from 1
   * @param fileName its file name ({@code V<version>__<description>.sql})
   * @param statements its statements, in order, placeholders filled in
   */
  public record Migration(int version, String fileName, List<String> statements) {
    /** Copies the statements. */
    public Migration {
      statements = List.copyOf(statements);
    }
  }

  private void apply(Connection c, Script s) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String sql : SqlStatements.split(s.sql)) {
        try {
          st.execute(sql);
        } catch (SQLException e) {
          throw new SQLException(s.fileName + ": " + e.getMessage(), e.getSQLState(), e);
        }
      }
    }
  }

  private String sessionTimeZone(Connection c) throws SQLException {
    if (!dialect.isMySqlFamily()) {
      return null;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@session.time_zone")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private void restoreTimeZone(Connection c, String zone) {
    if (zone == null) {
      return;
    }
    try (Statement st = c.createStatement()) {
      st.execute("SET time_zone = '" + zone.replace("'", "''") + "'");
    } catch (SQLException e) {
      log.debug("Keel schema: restoring the session time zone failed", e);
    }
  }

  private void lock(Connection c, String component) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (dialect == SqlDialect.POSTGRES) {
        st.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")");
      } else if (dialect.isMySqlFamily()) {
        long seconds = Math.max(1, lockTimeout.toSeconds());
        Long result;
        try (ResultSet rs =
            st.executeQuery("SELECT GET_LOCK('" + MYSQL_LOCK_NAME + "', " + seconds + ")")) {
          rs.next();
          long r = rs.getLong(1);
          result = rs.wasNull() ? null : r;
        }
        // 1: taken; 0: timed out; NULL: an error (such as the session being killed).
        if (result == null || result != 1L) {
          throw new RetriableKeelException(
              "Keel schema: installing "
                  + component
                  + " on "
                  + dialect
                  + " ("
                  + names
                  + "): could not take the install lock "
                  + MYSQL_LOCK_NAME
                  + " within "
                  + seconds
                  + " s (GET_LOCK returned "
                  + result
                  + "); another installer holds it, install again later");
        }
      }
    }
  }

  private void lockAgain(Connection c, String component) throws SQLException {
    // PostgreSQL's transaction-scoped lock ended with the commit.
    if (dialect == SqlDialect.POSTGRES) {
      lock(c, component);
    }
  }

  private void unlock(Connection c) {
    if (dialect.isMySqlFamily()) {
      // Releasing a lock this session does not hold is harmless (it returns 0 or NULL).
      try (Statement st = c.createStatement()) {
        st.execute("SELECT RELEASE_LOCK('" + MYSQL_LOCK_NAME + "')");
      } catch (SQLException e) {
        log.debug("Keel schema: releasing the install lock failed", e);
      }
    }
  }

  private void createVersionTable(Connection c) throws SQLException {
    String table = names.sql(dialect, "schema_version");
    String ddl;
    if (dialect.isMySqlFamily()) {
      ddl =
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (component VARCHAR(64) NOT NULL, version INT NOT NULL,"
              + " script VARCHAR(255) NOT NULL, installed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
              + " PRIMARY KEY (component, version)) ENGINE=InnoDB";
    } else {
      ddl =
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (component VARCHAR(64) NOT NULL, version INT NOT NULL,"
              + " script VARCHAR(255) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,"
              + " PRIMARY KEY (component, version))";
    }
    try (Statement st = c.createStatement()) {
      if (names.schema().isPresent()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + dialect.quote(names.schema().get()));
      }
      st.execute(ddl);
    }
  }

  private int installedVersion(Connection c, String component) throws SQLException {
    String sql =
        "SELECT COALESCE(MAX(version), 0) FROM "
            + names.sql(dialect, "schema_version")
            + " WHERE component = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, component);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private void record(Connection c, String component, Script s) throws SQLException {
    String sql =
        "INSERT INTO "
            + names.sql(dialect, "schema_version")
            + " (component, version, script) VALUES (?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, component);
      ps.setInt(2, s.version);
      ps.setString(3, s.fileName);
      ps.executeUpdate();
    }
  }

  private List<Script> scripts(String component) {
    if (component == null || !COMPONENT.matcher(component).matches()) {
      throw new KeelConfigurationException(
          "SchemaInstaller component must match " + COMPONENT.pattern() + ", was " + component);
    }
    String folder = "keel/sql/" + dialect.scriptFolder() + "/" + component + "/";
    String index = read(folder + "index");
    if (index == null) {
      throw new KeelConfigurationException(
          "No Keel SQL scripts for component "
              + component
              + " and dialect "
              + dialect
              + " at "
              + folder
              + "; is the module that owns it on the classpath?");
    }
    List<Script> scripts = new ArrayList<>();
    int last = 0;
    for (String line : index.split("\\R")) {
      String fileName = line.trim();
      if (fileName.isEmpty() || fileName.startsWith("#")) {
        continue;
      }
      Matcher m = SCRIPT.matcher(fileName);
      if (!m.matches()) {
        throw new KeelConfigurationException(
            folder + "index lists " + fileName + ", not a V<n>__<name>.sql script");
      }
      int version = Integer.parseInt(m.group(1));
      if (version <= last) {
        throw new KeelConfigurationException(
            folder + "index is not in ascending version order at " + fileName);
      }
      last = version;
      String body = read(folder + fileName);
      if (body == null) {
        throw new KeelConfigurationException(
            folder + fileName + " is listed in the index but missing");
      }
      scripts.add(new Script(version, fileName, fill(body)));
    }
    return scripts;
  }

  private String fill(String body) {
    Map<String, String> values = names.placeholders(dialect);
    Matcher m = PLACEHOLDER.matcher(body);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new KeelConfigurationException(
            "Unknown placeholder ${" + m.group(1) + "} in a Keel SQL script");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String read(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new KeelConfigurationException("Cannot read " + resource + ": " + e.getMessage());
    }
  }

  private static final class Script {
    final int version;
    final String fileName;
    final String sql;

    Script(int version, String fileName, String sql) {
      this.version = version;
      this.fileName = fileName;
      this.sql = sql;
    }
  }

  /** Builds a {@link SchemaInstaller}. Not thread-safe. */
  public static final class Builder {
    private DataSource dataSource;
    private SqlDialect dialect;
    private TableNames names = TableNames.defaults();
    private ClassLoader loader = SchemaInstaller.class.getClassLoader();
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;

    private Builder() {}

    /** How long MySQL/MariaDB installs wait for another installer's lock; tests shorten it. */
    Builder lockTimeout(Duration lockTimeout) {
      this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
      return this;
    }

    /** The database. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** The dialect; detected from the data source when not set. */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** Schema and prefix; {@link TableNames#defaults()} when not set. */
    public Builder tableNames(TableNames names) {
      this.names = Objects.requireNonNull(names, "tableNames");
      return this;
    }

    /** Where scripts are looked up; this class's loader by default. */
    public Builder classLoader(ClassLoader loader) {
      this.loader = Objects.requireNonNull(loader, "classLoader");
      return this;
    }

    /** Validates and builds. */
    public SchemaInstaller build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("SchemaInstaller.dataSource is required");
      }
      return new SchemaInstaller(this);
    }
  }
}
