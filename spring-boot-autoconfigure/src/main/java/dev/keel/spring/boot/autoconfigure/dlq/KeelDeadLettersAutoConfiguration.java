package dev.keel.spring.boot.autoconfigure.dlq;

import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.spring.boot.autoconfigure.KeelAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Dead-letter operations: the {@link DeadLetterStore} of the application's data source and the
 * {@link DeadLetters} operator API (list, show, replay, discard, audit) built from it, {@code
 * spring.kafka.*} ({@link KeelKafka}, for replay) and {@code keel.dlq.*}. Present when
 * keel-dlq-core is on the class path and the application has a data source; {@code
 * keel.dlq.enabled=false} turns it off.
 */
@AutoConfiguration(
    after = KeelAutoConfiguration.class,
    afterName = "dev.keel.spring.boot.autoconfigure.KeelSchemaAutoConfiguration")
@ConditionalOnClass(DeadLetters.class)
@ConditionalOnBooleanProperty(name = "keel.dlq.enabled", matchIfMissing = true)
@ConditionalOnBean(KeelDatabase.class)
public class KeelDeadLettersAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelDeadLettersAutoConfiguration() {}

  /**
   * The dead-letter tables, prepared per {@code keel.database.schema-policy}.
   *
   * @param database the shared database
   * @return the store
   */
  @Bean
  @ConditionalOnMissingBean
  public DeadLetterStore keelDeadLetterStore(KeelDatabase database) {
    database.prepare("dlq");
    return DeadLetterStore.builder().database(database).build();
  }

  /**
   * The operator API. Without a {@link KeelKafka} bean it lists, shows and discards but cannot
   * replay.
   *
   * @param store the store
   * @param kafka the shared cluster, when there is one
   * @param settings the {@code keel.*} settings ({@code keel.dlq.*})
   * @param meterRegistry Micrometer's registry, when the application has one
   * @return the dead-letter operations
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public DeadLetters keelDeadLetters(
      DeadLetterStore store,
      ObjectProvider<KeelKafka> kafka,
      KeelSettings settings,
      ObjectProvider<MeterRegistry> meterRegistry) {
    DeadLetters.Builder b = DeadLetters.fromProperties(settings).store(store);
    kafka.ifAvailable(b::kafka);
    meterRegistry.ifAvailable(b::meterRegistry);
    return b.build();
  }
}
