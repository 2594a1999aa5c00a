package dev.keel.event.sql;

import dev.keel.event.KeelConfigurationException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The databases Keel's stores run on, and the one place where they differ: quoting, how instants,
 * UUIDs and JSON are bound and read, row-lock and row-limit fragments, and the insert that ignores
 * an existing key. PostgreSQL is the primary target; MySQL 8 and MariaDB 10.6+ share one set of
 * scripts; H2 serves fast unit tests of the SQL layer.
 *
 * <p>Instants are stored in UTC on every database, whatever the JVM's or the session's time zone
 * ({@code docs/design.md §12}): {@code timestamptz} bound as a UTC {@link OffsetDateTime} on
 * PostgreSQL, {@code TIMESTAMP WITH TIME ZONE} likewise on H2, and {@code DATETIME(6)} bound as a
 * {@link LocalDateTime} in UTC on MySQL and MariaDB. No method here goes through {@link
 * java.sql.Timestamp}, whose conversions use the JVM's default zone. Columns the database stamps
 * itself (the outbox's {@code TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6)} columns on MySQL and
 * MariaDB) are read through {@link #selectStampedInstant} and {@link #getStampedInstant}, compared
 * with an application instant through {@link #stampedInstantParameter}, and aged against the
 * database's clock with {@link #oldestAgeMicros}.
 *
 * <p>Immutable and thread-safe.
 */
public enum SqlDialect {
  /** PostgreSQL 13+ (uses {@code xid8} snapshots, {@code LISTEN/NOTIFY}, {@code SKIP LOCKED}). */
  POSTGRES("postgres", '"'),
  /** MySQL 8.0+ (InnoDB, {@code SKIP LOCKED}). */
  MYSQL("mysql", '`'),
  /** MariaDB 10.6+ (InnoDB, {@code SKIP LOCKED}). */
  MARIADB("mysql", '`'),
  /** H2 2.x, for unit tests only. */
  H2("h2", '"');

  private final String scriptFolder;
  private final char quote;

  SqlDialect(String scriptFolder, char quote) {
    this.scriptFolder = scriptFolder;
    this.quote = quote;
  }

  /** The folder of this dialect's scripts under {@code keel/sql/}. */
  public String scriptFolder() {
    return scriptFolder;
  }

  /** Whether this is MySQL or MariaDB. */
  public boolean isMySqlFamily() {
    return this == MYSQL || this == MARIADB;
  }

  /**
   * Quotes an identifier that {@link TableNames} has already validated: {@code "name"} on
   * PostgreSQL and H2, {@code `name`} on MySQL and MariaDB. An embedded quote character is doubled,
   * so the result is one identifier whatever the input.
   *
   * @param identifier a validated identifier
   */
  public String quote(String identifier) {
    String q = String.valueOf(quote);
    return q + identifier.replace(q, q + q) + q;
  }

  /**
   * A quoted, optionally schema-qualified name, such as {@code "app"."keel_outbox"}.
   *
   * @param schema the schema, or null for the connection's current one
   * @param name the object's name
   */
  public String qualify(String schema, String name) {
    return schema == null ? quote(name) : quote(schema) + "." + quote(name);
  }

  // ---- instants ----

  /**
   * Binds an instant in UTC, or SQL {@code NULL} for null.
   *
   * @param ps the statement
   * @param index the parameter index
   * @param at the instant, or null
   */
  public void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
    if (at == null) {
      ps.setNull(index, isMySqlFamily() ? Types.TIMESTAMP : Types.TIMESTAMP_WITH_TIMEZONE);
    } else if (isMySqlFamily()) {
      ps.setObject(index, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }
  }

  /**
   * Reads an instant written by {@link #setInstant}, or null for SQL {@code NULL}.
   *
   * @param rs the result set, on a row
   * @param column the column index
   */
  public Instant getInstant(ResultSet rs, int column) throws SQLException {
    if (isMySqlFamily()) {
      LocalDateTime t = rs.getObject(column, LocalDateTime.class);
      return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /**
   * Reads an instant written by {@link #setInstant}, or null for SQL {@code NULL}.
   *
   * @param rs the result set, on a row
   * @param column the column label
   */
  public Instant getInstant(ResultSet rs, String column) throws SQLException {
    return getInstant(rs, rs.findColumn(column));
  }

  /**
   * The select expression that reads a column stamped by the database's own clock ({@code DEFAULT
   * CURRENT_TIMESTAMP(6)} or {@code clock_timestamp()}), to be read with {@link
   * #getStampedInstant}: the column itself on PostgreSQL and H2, whose {@code timestamptz} values
   * carry their offset, and {@code UNIX_TIMESTAMP(column)} on MySQL and MariaDB, whose {@code
   * TIMESTAMP(6)} columns are kept in UTC but converted through the session's time zone on every
   * other read. {@code UNIX_TIMESTAMP} of a {@code TIMESTAMP} column returns the stored value with
   * no conversion, so the instant is exact whatever the session's or the JVM's zone.
   *
   * @param column the (possibly qualified) column, a {@code TIMESTAMP(6)} on MySQL and MariaDB
   */
  public String selectStampedInstant(String column) {
    return isMySqlFamily() ? "UNIX_TIMESTAMP(" + column + ")" : column;
  }

  /**
   * Reads a column selected through {@link #selectStampedInstant}, or null for SQL {@code NULL}.
   *
   * @param rs the result set, on a row
   * @param column the column index
   */
  public Instant getStampedInstant(ResultSet rs, int column) throws SQLException {
    if (!isMySqlFamily()) {
      return getInstant(rs, column);
    }
    BigDecimal seconds = rs.getBigDecimal(column);
    if (seconds == null) {
      return null;
    }
    BigDecimal micros = seconds.movePointRight(6).setScale(0, RoundingMode.HALF_EVEN);
    return Instant.EPOCH.plus(micros.longValueExact(), ChronoUnit.MICROS);
  }

  /**
   * The placeholder of an instant compared with a column stamped by the database's clock, bound
   * with {@link #setStampedInstant}: {@code FROM_UNIXTIME(?)} on MySQL and MariaDB, where the
   * instant travels as exact epoch seconds instead of a wall-clock text that the session's zone
   * would interpret, {@code ?} elsewhere. On MySQL and MariaDB the comparison itself still passes
   * through the session's zone, exact except within the hour a daylight-saving change repeats.
   */
  public String stampedInstantParameter() {
    return isMySqlFamily() ? "FROM_UNIXTIME(?)" : "?";
  }

  /**
   * Binds an instant for {@link #stampedInstantParameter}: epoch seconds with microseconds on MySQL
   * and MariaDB, as {@link #setInstant} elsewhere.
   *
   * @param ps the statement
   * @param index the parameter index
   * @param at the instant, not null
   */
  public void setStampedInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
    if (!isMySqlFamily()) {
      setInstant(ps, index, at);
      return;
    }
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
    ps.setBigDecimal(index, BigDecimal.valueOf(micros, 6));
  }

  /**
   * An aggregate select expression: the age of the oldest value of a column stamped by the
   * database's clock, in whole microseconds measured against that same clock, or SQL {@code NULL}
   * when there are no rows. Measuring on the database keeps the age free of any skew between the
   * database's and the application's clocks. PostgreSQL subtracts from {@code clock_timestamp()},
   * H2 uses {@code DATEDIFF}, and MySQL and MariaDB subtract the column's exact epoch ({@code
   * UNIX_TIMESTAMP}, see {@link #selectStampedInstant}) from the epoch of {@code UTC_TIMESTAMP(6)},
   * so no session time zone (nor its daylight-saving jumps) enters. The age can be slightly
   * negative for a row stamped after the statement began; callers clamp it.
   *
   * @param column the column
   */
  public String oldestAgeMicros(String column) {
    switch (this) {
      case POSTGRES:
        return "CAST(EXTRACT(EPOCH FROM (clock_timestamp() - MIN("
            + column
            + "))) * 1000000 AS BIGINT)";
      case H2:
        return "DATEDIFF(MICROSECOND, MIN(" + column + "), CURRENT_TIMESTAMP)";
      default:
        return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) - CAST(MIN("
            + "UNIX_TIMESTAMP("
            + column
            + ")) * 1000000 AS SIGNED)";
    }
  }

  // ---- UUIDs and JSON ----

  /**
   * Binds a UUID: native {@code uuid} on PostgreSQL and H2, its 36-character text in {@code
   * CHAR(36)} on MySQL and MariaDB; SQL {@code NULL} for null.
   *
   * @param ps the statement
   * @param index the parameter index
   * @param id the id, or null
   */
  public void setUuid(PreparedStatement ps, int index, UUID id) throws SQLException {
    if (id == null) {
      ps.setNull(index, isMySqlFamily() ? Types.CHAR : Types.OTHER);
    } else if (isMySqlFamily()) {
      ps.setString(index, id.toString());
    } else {
      ps.setObject(index, id);
    }
  }

  /**
   * The placeholder of a JSON text parameter bound with {@code setString}: {@code CAST(? AS jsonb)}
   * on PostgreSQL (whose {@code jsonb} columns take no text parameter), {@code ?} elsewhere.
   */
  public String jsonParameter() {
    return this == POSTGRES ? "CAST(? AS jsonb)" : "?";
  }

  // ---- row locks and limits ----

  /** The suffix that locks the selected rows until the transaction ends: {@code " FOR UPDATE"}. */
  public String forUpdate() {
    return " FOR UPDATE";
  }

  /**
   * The suffix that locks the selected rows and skips rows other transactions hold: {@code " FOR
   * UPDATE SKIP LOCKED"} (all four databases accept it).
   */
  public String forUpdateSkipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  /**
   * The suffix that returns at most {@code rows} rows: {@code " FETCH FIRST n ROWS ONLY"} on
   * PostgreSQL and H2, {@code " LIMIT n"} on MySQL and MariaDB.
   *
   * @param rows the maximum, at least 1
   */
  public String limit(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + rows);
    }
    return isMySqlFamily() ? " LIMIT " + rows : " FETCH FIRST " + rows + " ROWS ONLY";
  }

  // ---- inserts that ignore an existing key ----

  /**
   * An insert of one row that does nothing, without an error and without aborting the transaction,
   * when a row with the same key exists; {@code executeUpdate} returns 1 when it inserted, 0 when
   * not. {@code ON CONFLICT DO NOTHING} on PostgreSQL, {@code INSERT IGNORE} on MySQL and MariaDB;
   * on H2 a conditional insert whose key values are bound a second time (see {@link
   * #insertIgnoringRebindsKey()}), where a concurrent twin can still raise SQLState 23505, which H2
   * survives.
   *
   * @param table the quoted table
   * @param columns the columns, bound in this order
   * @param key the key columns, a subset of {@code columns}
   */
  public String insertIgnoring(String table, List<String> columns, List<String> key) {
    String cols = String.join(", ", columns);
    String params = String.join(", ", columns.stream().map(c -> "?").toList());
    switch (this) {
      case POSTGRES:
        return "INSERT INTO "
            + table
            + " ("
            + cols
            + ") VALUES ("
            + params
            + ")"
            + " ON CONFLICT DO NOTHING";
      case MYSQL:
      case MARIADB:
        return "INSERT IGNORE INTO " + table + " (" + cols + ") VALUES (" + params + ")";
      default:
        return "INSERT INTO "
            + table
            + " ("
            + cols
            + ") SELECT "
            + params
            + " FROM (VALUES (1)) v WHERE NOT EXISTS (SELECT 1 FROM "
            + table
            + " WHERE "
            + String.join(" AND ", key.stream().map(k -> k + " = ?").toList())
            + ")";
    }
  }

  /**
   * Whether {@link #insertIgnoring} takes the key columns' values again, in the order of its {@code
   * key} list, after the row's values (H2 only).
   */
  public boolean insertIgnoringRebindsKey() {
    return this == H2;
  }

  /**
   * The dialect of a database product name as JDBC reports it.
   *
   * @throws KeelConfigurationException for an unsupported database
   */
  public static SqlDialect fromProductName(String productName) {
    String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return POSTGRES;
    }
    if (p.contains("mariadb")) {
      return MARIADB;
    }
    if (p.contains("mysql")) {
      return MYSQL;
    }
    if (p.equals("h2")) {
      return H2;
    }
    throw new KeelConfigurationException(
        "Unsupported database "
            + productName
            + "; Keel supports PostgreSQL, MySQL 8, MariaDB 10.6+ and H2");
  }

  /** The dialect of an open connection. */
  public static SqlDialect detect(Connection connection) throws SQLException {
    return fromProductName(connection.getMetaData().getDatabaseProductName());
  }

  /** The dialect of a data source (borrows one connection). */
  public static SqlDialect detect(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return detect(c);
    } catch (SQLException e) {
      throw new KeelConfigurationException("Cannot detect the SQL dialect: " + e.getMessage());
    }
  }
}
