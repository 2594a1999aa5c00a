package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.Outbox;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * The outbox: Keel's {@link Outbox} from {@code keel.outbox.*} and the {@link TransactionalOutbox}
 * that appends in the caller's Spring transaction. Present when keel-outbox-core and spring-jdbc
 * are on the class path and the application has a data source; {@code keel.outbox.enabled=false}
 * turns it off. The outbox's tables are prepared per {@code keel.database.schema-policy} when the
 * bean is created.
 */
@AutoConfiguration(after = {KeelAutoConfiguration.class, KeelSchemaAutoConfiguration.class})
@ConditionalOnClass({Outbox.class, DataSourceUtils.class})
@ConditionalOnBooleanProperty(name = "keel.outbox.enabled", matchIfMissing = true)
public class KeelOutboxAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelOutboxAutoConfiguration() {}

  /**
   * Keel's outbox, its tables prepared per the schema policy.
   *
   * @param database the shared database
   * @param settings the {@code keel.*} settings
   * @param observationRegistry the application's observation registry (a {@code create <topic>}
   *     span per append, whose trace context is stored with the event), when it has one
   * @return the outbox
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(KeelDatabase.class)
  public Outbox keelOutbox(
      KeelDatabase database,
      KeelSettings settings,
      ObjectProvider<ObservationRegistry> observationRegistry) {
    database.prepare("outbox");
    Outbox.Builder b = Outbox.builder().database(database).settings(settings);
    observationRegistry.ifAvailable(b::observationRegistry);
    return b.build();
  }

  /**
   * The outbox appending in the caller's Spring transaction.
   *
   * @param outbox Keel's outbox
   * @param database the shared database: its data source is the transactions'
   * @return the transactional outbox
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(KeelDatabase.class)
  public TransactionalOutbox keelTransactionalOutbox(Outbox outbox, KeelDatabase database) {
    return new TransactionalOutbox(outbox, database.dataSource());
  }
}
