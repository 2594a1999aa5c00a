package dev.keel.event.sql;

import dev.keel.event.KeelConfigurationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The databases Keel's stores run on. PostgreSQL is the primary target; MySQL 8 and MariaDB 10.6+
 * share one set of scripts; H2 serves fast unit tests of the SQL layer.
 */
public enum SqlDialect {
  /** PostgreSQL 13+ (uses {@code xid8} snapshots, {@code LISTEN/NOTIFY}, {@code SKIP LOCKED}). */
  POSTGRES("postgres", SQLDialect.POSTGRES),
  /** MySQL 8.0+ (InnoDB, {@code SKIP LOCKED}). */
  MYSQL("mysql", SQLDialect.MYSQL),
  /** MariaDB 10.6+ (InnoDB, {@code SKIP LOCKED}). */
  MARIADB("mysql", SQLDialect.MARIADB),
  /** H2 2.x, for unit tests only. */
  H2("h2", SQLDialect.H2);

  private final String scriptFolder;
  private final SQLDialect jooq;
  // Created on first use: a context without a connection, used only to render names.
  private volatile DSLContext renderer;

  SqlDialect(String scriptFolder, SQLDialect jooq) {
    this.scriptFolder = scriptFolder;
    this.jooq = jooq;
  }

  /** The folder of this dialect's scripts under {@code keel/sql/}. */
  public String scriptFolder() {
    return scriptFolder;
  }

  /** The jOOQ dialect. */
  public SQLDialect jooq() {
    return jooq;
  }

  /** Whether this is MySQL or MariaDB. */
  public boolean isMySqlFamily() {
    return this == MYSQL || this == MARIADB;
  }

  /**
   * Quotes an identifier that {@link TableNames} has already validated, the way jOOQ renders it for
   * this dialect ({@code "name"} on PostgreSQL and H2, {@code `name`} on MySQL and MariaDB).
   *
   * @param identifier a validated identifier
   */
  public String quote(String identifier) {
    return render(DSL.quotedName(identifier));
  }

  /** Renders a (possibly qualified) name with this dialect's quotes, through jOOQ. */
  String render(Name name) {
    DSLContext r = renderer;
    if (r == null) {
      // A benign race: two threads may each build an equivalent context.
      r = KeelSql.using(null, this);
      renderer = r;
    }
    return r.render(name);
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
