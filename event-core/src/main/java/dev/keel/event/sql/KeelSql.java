package dev.keel.event.sql;

import java.sql.Connection;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * jOOQ contexts and names configured the way Keel's stores need them: names always quoted, no
 * execute logging (statements may carry payloads), no banner and no tips.
 *
 * <p>This is the only class of {@code dev.keel.event.sql} that needs jOOQ, which is an optional
 * dependency: applications that use the {@code DSLContext} overloads of Keel's components bring it
 * themselves; everything else runs without it on the class path. Stateless and thread-safe.
 */
public final class KeelSql {
  static {
    // jOOQ prints a banner and tips on first use unless told not to, and its Settings have no
    // switch for either (3.19): only these two system properties, set when the application has
    // not set them. This class loads only when an application uses jOOQ through Keel.
    if (System.getProperty("org.jooq.no-logo") == null) {
      System.setProperty("org.jooq.no-logo", "true");
    }
    if (System.getProperty("org.jooq.no-tips") == null) {
      System.setProperty("org.jooq.no-tips", "true");
    }
  }

  private static final Settings SETTINGS =
      new Settings()
          .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_QUOTED)
          .withExecuteLogging(false)
          .withRenderCatalog(false);

  private KeelSql() {}

  /**
   * A jOOQ context on a connection the caller owns (and commits, and closes).
   *
   * @param connection the caller's connection, typically inside its transaction
   * @param dialect the database's dialect
   */
  public static DSLContext using(Connection connection, SqlDialect dialect) {
    return DSL.using(connection, jooqDialect(dialect), SETTINGS);
  }

  /**
   * The jOOQ dialect of a Keel dialect.
   *
   * @param dialect the Keel dialect
   */
  public static SQLDialect jooqDialect(SqlDialect dialect) {
    switch (dialect) {
      case POSTGRES:
        return SQLDialect.POSTGRES;
      case MYSQL:
        return SQLDialect.MYSQL;
      case MARIADB:
        return SQLDialect.MARIADB;
      default:
        return SQLDialect.H2;
    }
  }

  /**
   * The qualified jOOQ name of one of Keel's tables, quoted when rendered.
   *
   * @param names schema and prefix
   * @param base the table's base name, such as {@code outbox}
   */
  public static Name name(TableNames names, String base) {
    String table = names.name(base);
    return names.schema().map(s -> DSL.name(s, table)).orElseGet(() -> DSL.name(table));
  }

  /**
   * The jOOQ table of one of Keel's tables.
   *
   * @param names schema and prefix
   * @param base the table's base name, such as {@code outbox}
   */
  public static Table<Record> table(TableNames names, String base) {
    return DSL.table(name(names, base));
  }
}
