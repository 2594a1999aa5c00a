package dev.keel.spring.boot.autoconfigure.internal;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Keel's table scripts ({@code keel/sql/<dialect>/<component>/V<n>__*.sql}, the scripts Keel's
 * own installer applies) through Flyway: one Flyway history table per component, {@code
 * <prefix>flyway_<component>}, so that Keel's versions never meet the application's (its {@code
 * flyway_schema_history}) nor each other's (each component starts at V1). The scripts' placeholders
 * are filled with the database's table names.
 */
public final class KeelFlyway {
  private static final Logger log = LoggerFactory.getLogger(KeelFlyway.class);

  /** Keel's components with tables, in installation order. */
  public static final List<String> COMPONENTS = List.of("outbox", "dlq", "consumer", "saga");

  private KeelFlyway() {}

  /** The history table of a component's migrations. */
  public static String historyTable(TableNames names, String component) {
    return names.prefix() + "flyway_" + component;
  }

  /**
   * Migrates the tables of every Keel component whose module is on the class path.
   *
   * @param database where the tables live
   * @param loader the class loader holding Keel's scripts
   * @return the components migrated
   */
  public static List<String> migrate(KeelDatabase database, ClassLoader loader) {
    SqlDialect dialect = database.resolveDialect();
    TableNames names = database.tableNames();
    List<String> done = new ArrayList<>();
    for (String component : COMPONENTS) {
      String folder = "keel/sql/" + dialect.scriptFolder() + "/" + component;
      if (loader.getResource(folder + "/index") == null) {
        continue;
      }
      var config =
          Flyway.configure(loader)
              .dataSource(database.dataSource())
              .locations("classpath:" + folder)
              .table(historyTable(names, component))
              .placeholders(names.placeholders(dialect))
              // The application's tables may be there already: Keel's V1 still runs.
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .cleanDisabled(true);
      if (names.schema().isPresent()) {
        config.schemas(names.schema().get()).createSchemas(true);
      }
      MigrateResult result = config.load().migrate();
      log.info(
          "Keel {}: {} migration(s) applied through Flyway (history table {})",
          component,
          result.migrationsExecuted,
          historyTable(names, component));
      done.add(component);
    }
    return done;
  }
}
