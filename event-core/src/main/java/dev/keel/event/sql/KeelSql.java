package dev.keel.event.sql;

import java.sql.Connection;
import org.jooq.DSLContext;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * jOOQ contexts configured the way Keel's stores need them: names always quoted, no execute logging
 * (statements may carry payloads), no banner.
 */
public final class KeelSql {
  static {
    // jOOQ prints a banner and tips on first use unless told not to.
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
    return DSL.using(connection, dialect.jooq(), SETTINGS);
  }
}
