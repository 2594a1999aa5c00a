package dev.keel.spring.boot.autoconfigure.internal;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.change.core.RawSQLChange;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Keel's table scripts (the ones Keel's own installer applies, placeholders filled with the
 * database's table names) through Liquibase: one change set per script, one change log per
 * component with its own tables ({@code <prefix>liquibase_<component>} and {@code
 * <prefix>liquibase_<component>_lock}), so that Keel's change sets never meet the application's
 * ({@code DATABASECHANGELOG}) nor each other's.
 */
public final class KeelLiquibase {
  private static final Logger log = LoggerFactory.getLogger(KeelLiquibase.class);

  private KeelLiquibase() {}

  /** The change-log table of a component's change sets. */
  public static String changeLogTable(TableNames names, String component) {
    return names.prefix() + "liquibase_" + component;
  }

  /**
   * Applies the pending scripts of every Keel component whose module is on the class path.
   *
   * @param database where the tables live
   * @param loader the class loader holding Keel's scripts
   * @return the components brought up to date
   */
  public static List<String> migrate(KeelDatabase database, ClassLoader loader) {
    SqlDialect dialect = database.resolveDialect();
    TableNames names = database.tableNames();
    SchemaInstaller installer =
        SchemaInstaller.builder()
            .dataSource(database.dataSource())
            .dialect(dialect)
            .tableNames(names)
            .classLoader(loader)
            .build();
    List<String> done = new ArrayList<>();
    for (String component : KeelFlyway.COMPONENTS) {
      if (loader.getResource("keel/sql/" + dialect.scriptFolder() + "/" + component + "/index")
          == null) {
        continue;
      }
      String path = "keel/" + component;
      DatabaseChangeLog changeLog = new DatabaseChangeLog(path);
      for (SchemaInstaller.Migration m : installer.migrations(component)) {
        ChangeSet set =
            new ChangeSet(m.fileName(), "keel", false, false, path, null, null, changeLog);
        for (String statement : m.statements()) {
          RawSQLChange change = new RawSQLChange(statement);
          change.setSplitStatements(false); // split by Keel already, as its installer does
          change.setStripComments(false);
          set.addChange(change);
        }
        changeLog.addChangeSet(set);
      }
      try (Connection c = database.dataSource().getConnection()) {
        String zone = sessionZone(c, dialect);
        try {
          Database db =
              DatabaseFactory.getInstance()
                  .findCorrectDatabaseImplementation(new JdbcConnection(c));
          db.setDatabaseChangeLogTableName(changeLogTable(names, component));
          db.setDatabaseChangeLogLockTableName(changeLogTable(names, component) + "_lock");
          names.schema().ifPresent(db::setLiquibaseSchemaName);
          new Liquibase(changeLog, new ClassLoaderResourceAccessor(loader), db)
              .update(new Contexts(), new LabelExpression());
        } finally {
          restoreZone(c, zone);
        }
      } catch (SQLException | LiquibaseException e) {
        throw new IllegalStateException(
            "Keel " + component + ": migrating through Liquibase failed: " + e.getMessage(), e);
      }
      log.info(
          "Keel {}: up to date through Liquibase (change-log table {})",
          component,
          changeLogTable(names, component));
      done.add(component);
    }
    return done;
  }

  /** MySQL/MariaDB: Keel's time-column migrations set the session's zone; it is put back. */
  private static String sessionZone(Connection c, SqlDialect dialect) throws SQLException {
    if (!dialect.isMySqlFamily()) {
      return null;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@session.time_zone")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void restoreZone(Connection c, String zone) throws SQLException {
    if (zone != null) {
      try (Statement st = c.createStatement()) {
        st.execute("SET time_zone = '" + zone.replace("'", "''") + "'");
      }
    }
  }
}
