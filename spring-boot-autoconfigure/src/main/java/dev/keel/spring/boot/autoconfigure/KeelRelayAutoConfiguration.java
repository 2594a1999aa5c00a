package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The relay: an {@link OutboxRelay} built from the application's data source ({@link
 * KeelDatabase}), {@code spring.kafka.*} ({@link KeelKafka}), the {@link Outbox} bean and {@code
 * keel.relay.*}, started and stopped with the context by a {@link KeelLifecycle} in phase {@link
 * KeelLifecycle#RELAY_PHASE}. {@code keel.relay.enabled=false} turns it off (for instances that
 * only append, with the relay run elsewhere).
 */
@AutoConfiguration(after = {KeelAutoConfiguration.class, KeelOutboxAutoConfiguration.class})
@ConditionalOnClass(OutboxRelay.class)
@ConditionalOnBooleanProperty(name = "keel.relay.enabled", matchIfMissing = true)
@ConditionalOnBean({KeelDatabase.class, KeelKafka.class, Outbox.class})
public class KeelRelayAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelRelayAutoConfiguration() {}

  /**
   * The relay, not started: {@link #keelRelayLifecycle} starts it with the context.
   *
   * @param database the shared database
   * @param kafka the shared cluster
   * @param outbox the outbox whose rows it publishes (lanes, table names)
   * @param settings the {@code keel.*} settings
   * @param meterRegistry Micrometer's registry, when the application has one
   * @param observationRegistry the application's observation registry (a {@code send <topic>} span
   *     per record, continuing the append's trace), when it has one
   * @return the relay
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public OutboxRelay keelOutboxRelay(
      KeelDatabase database,
      KeelKafka kafka,
      Outbox outbox,
      KeelSettings settings,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObservationRegistry> observationRegistry) {
    OutboxRelay.Builder b =
        OutboxRelay.builder().database(database).kafka(kafka).outbox(outbox).settings(settings);
    meterRegistry.ifAvailable(b::meterRegistry);
    observationRegistry.ifAvailable(b::observationRegistry);
    return b.build();
  }

  /**
   * Starts the relay with the context and stops it gracefully in {@link KeelLifecycle#RELAY_PHASE}.
   *
   * @param relay the relay
   * @return its lifecycle
   */
  @Bean
  public KeelLifecycle keelRelayLifecycle(OutboxRelay relay) {
    return new KeelLifecycle(
        "keel-relay", KeelLifecycle.RELAY_PHASE, relay::start, relay, relay::isRunning);
  }
}
