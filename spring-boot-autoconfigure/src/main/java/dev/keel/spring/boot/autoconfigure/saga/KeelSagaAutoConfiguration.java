package dev.keel.spring.boot.autoconfigure.saga;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaParticipant;
import dev.keel.spring.boot.autoconfigure.KeelAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.KeelLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Sagas: the {@link SagaOrchestrator} of the application's {@link SagaDefinition} beans, the
 * consumer runtime of its {@link SagaParticipant} beans ({@link SagaParticipants}) and the {@link
 * SagaAdmin} of the saga tables, built from the data source ({@link KeelDatabase}), {@code
 * spring.kafka.*} ({@link KeelKafka}), the {@link Outbox} bean and {@code keel.saga.*} / {@code
 * keel.consumer.*}. The orchestrator and the participants are started and stopped with the context
 * ({@link KeelLifecycle}, in {@link KeelLifecycle#CONSUMER_PHASE}).
 *
 * <p>Present when keel-saga-core is on the class path and the application has a data source; {@code
 * keel.saga.enabled=false} turns all of it off, {@code keel.saga.orchestrator.enabled=false} or
 * {@code keel.saga.participants.enabled=false} one part.
 */
@AutoConfiguration(
    after = KeelAutoConfiguration.class,
    afterName = {
      "dev.keel.spring.boot.autoconfigure.KeelSchemaAutoConfiguration",
      "dev.keel.spring.boot.autoconfigure.KeelOutboxAutoConfiguration"
    })
@ConditionalOnClass(SagaOrchestrator.class)
@ConditionalOnBooleanProperty(name = "keel.saga.enabled", matchIfMissing = true)
public class KeelSagaAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelSagaAutoConfiguration() {}

  /**
   * Queries and operator actions on the saga tables (the actuator's saga health and operations),
   * the tables prepared per {@code keel.database.schema-policy}. Present when the application runs
   * sagas or participants (a {@link SagaDefinition} or {@link SagaParticipant} bean), or with
   * {@code keel.saga.admin.enabled=true} (an instance that only operates the sagas of others), so
   * that an application that has saga-core on its class path but no saga gets no saga tables.
   *
   * @param database the shared database
   * @return the saga admin
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(KeelDatabase.class)
  @Conditional(UsesSagas.class)
  public SagaAdmin keelSagaAdmin(KeelDatabase database) {
    database.prepare("saga");
    return SagaAdmin.builder().database(database).build();
  }

  /** A saga definition bean, a participant bean, or {@code keel.saga.admin.enabled=true}. */
  static class UsesSagas extends AnyNestedCondition {
    UsesSagas() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(SagaDefinition.class)
    static class Definitions {}

    @ConditionalOnBean(SagaParticipant.class)
    static class Participants {}

    @ConditionalOnBooleanProperty("keel.saga.admin.enabled")
    static class Admin {}
  }

  /** The orchestrator, when the application defines sagas. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = "keel.saga.orchestrator.enabled", matchIfMissing = true)
  @ConditionalOnBean({KeelDatabase.class, Outbox.class, SagaDefinition.class})
  static class OrchestratorConfiguration {

    /**
     * The orchestrator of every {@link SagaDefinition} bean, not started: {@link
     * #keelSagaOrchestratorLifecycle} starts it with the context.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    SagaOrchestrator keelSagaOrchestrator(
        KeelDatabase database,
        ObjectProvider<KeelKafka> kafka,
        Outbox outbox,
        KeelSettings settings,
        ObjectProvider<SagaDefinition<?>> definitions,
        ObjectProvider<MeterRegistry> meterRegistry) {
      SagaOrchestrator.Builder b =
          SagaOrchestrator.fromProperties(settings).database(database).outbox(outbox);
      kafka.ifAvailable(b::kafka);
      definitions.orderedStream().forEach(b::definition);
      meterRegistry.ifAvailable(b::meterRegistry);
      return b.build();
    }

    @Bean
    KeelLifecycle keelSagaOrchestratorLifecycle(SagaOrchestrator orchestrator) {
      return new KeelLifecycle(
          "keel-saga-orchestrator",
          KeelLifecycle.CONSUMER_PHASE,
          orchestrator::start,
          orchestrator);
    }
  }

  /** The participants' consumer runtime, when the application has participants. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ConsumerRuntime.class)
  @ConditionalOnBooleanProperty(name = "keel.saga.participants.enabled", matchIfMissing = true)
  @ConditionalOnBean({KeelDatabase.class, KeelKafka.class, SagaParticipant.class})
  static class ParticipantsConfiguration {

    /**
     * One consumer runtime for the listeners of every {@link SagaParticipant} bean, not started:
     * {@link #keelSagaParticipantsLifecycle} starts it with the context. The participant table is
     * prepared per {@code keel.database.schema-policy}.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    SagaParticipants keelSagaParticipants(
        KeelDatabase database,
        KeelKafka kafka,
        KeelSettings settings,
        ObjectProvider<SagaParticipant> participants,
        ObjectProvider<MeterRegistry> meterRegistry) {
      database.prepare("saga");
      List<SagaParticipant> all = participants.orderedStream().toList();
      ConsumerRuntime.Builder b =
          ConsumerRuntime.fromProperties(settings).database(database).kafka(kafka);
      all.forEach(p -> p.listeners().forEach(b::listener));
      meterRegistry.ifAvailable(b::meterRegistry);
      return new SagaParticipants(all, b.build());
    }

    @Bean
    KeelLifecycle keelSagaParticipantsLifecycle(SagaParticipants participants) {
      return new KeelLifecycle(
          "keel-saga-participants",
          KeelLifecycle.CONSUMER_PHASE,
          participants::start,
          participants);
    }
  }
}
