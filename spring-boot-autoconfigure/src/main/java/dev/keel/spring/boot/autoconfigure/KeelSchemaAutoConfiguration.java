package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.spring.boot.autoconfigure.internal.KeelFlyway;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Keel's tables through the application's Flyway. Without Flyway, each component prepares its
 * tables at start per {@code keel.database.schema-policy} (Keel's installer, {@code INSTALL} by
 * default). When the application has a Flyway bean (Boot's Flyway auto-configuration), this
 * configuration's {@link KeelDatabase} first runs Keel's scripts through Flyway (history tables
 * {@code <table-prefix>flyway_<component>}, apart from the application's) and then leaves the
 * tables alone: the schema policy defaults to {@code NONE}. {@code keel.flyway.enabled=false} turns
 * this off.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
    },
    before = KeelAutoConfiguration.class)
@ConditionalOnClass(Flyway.class)
@ConditionalOnBean(Flyway.class)
@ConditionalOnBooleanProperty(name = "keel.flyway.enabled", matchIfMissing = true)
public class KeelSchemaAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelSchemaAutoConfiguration() {}

  /**
   * The shared database, its tables migrated through Flyway before any component uses it.
   *
   * @param dataSource the application's data source
   * @param properties the {@code keel.*} properties
   * @return the database, with schema policy {@code NONE} unless {@code
   *     keel.database.schema-policy} is set
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnSingleCandidate(DataSource.class)
  public KeelDatabase keelDatabase(DataSource dataSource, KeelProperties properties) {
    KeelDatabase database = managedDatabase(dataSource, properties);
    KeelFlyway.migrate(database, KeelSchemaAutoConfiguration.class.getClassLoader());
    return database;
  }

  /**
   * The database of a migration tool: schema policy {@code NONE} unless {@code
   * keel.database.schema-policy} is set.
   */
  static KeelDatabase managedDatabase(DataSource dataSource, KeelProperties properties) {
    KeelSettings settings = properties.toSettings();
    KeelDatabase.Builder b = KeelDatabase.builder().dataSource(dataSource).settings(settings);
    if (!settings.has(ConfigKey.DATABASE_SCHEMA_POLICY)) {
      b.schemaPolicy(SchemaPolicy.NONE);
    }
    return b.build();
  }
}
