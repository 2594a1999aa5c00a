package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.KeelDatabase;
import dev.keel.spring.boot.autoconfigure.internal.KeelLiquibase;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Keel's tables through the application's Liquibase, as {@link KeelSchemaAutoConfiguration} does
 * for Flyway. When the application has a {@link SpringLiquibase} bean (Boot's Liquibase
 * auto-configuration), this configuration's {@link KeelDatabase} first applies Keel's scripts
 * through Liquibase (change-log tables {@code <table-prefix>liquibase_<component>}, apart from the
 * application's {@code DATABASECHANGELOG}) and then leaves the tables alone: the schema policy
 * defaults to {@code NONE}. {@code keel.liquibase.enabled=false} turns this off. Verified with
 * Liquibase 4.33 (Apache 2.0 licensed).
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration"
    },
    after = KeelSchemaAutoConfiguration.class,
    before = KeelAutoConfiguration.class)
@ConditionalOnClass(SpringLiquibase.class)
@ConditionalOnBean(SpringLiquibase.class)
@ConditionalOnBooleanProperty(name = "keel.liquibase.enabled", matchIfMissing = true)
public class KeelLiquibaseAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelLiquibaseAutoConfiguration() {}

  /**
   * The shared database, its tables brought up to date through Liquibase before any component uses
   * it.
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
    KeelDatabase database = KeelSchemaAutoConfiguration.managedDatabase(dataSource, properties);
    KeelLiquibase.migrate(database, KeelLiquibaseAutoConfiguration.class.getClassLoader());
    return database;
  }
}
