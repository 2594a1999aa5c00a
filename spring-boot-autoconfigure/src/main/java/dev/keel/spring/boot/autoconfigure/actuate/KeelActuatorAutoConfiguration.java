package dev.keel.spring.boot.autoconfigure.actuate;

import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.saga.SagaAdmin;
import dev.keel.spring.boot.autoconfigure.KeelAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.actuate.internal.DeadLetterSection;
import dev.keel.spring.boot.autoconfigure.actuate.internal.KeelSection;
import dev.keel.spring.boot.autoconfigure.actuate.internal.OutboxSection;
import dev.keel.spring.boot.autoconfigure.actuate.internal.SagaSection;
import dev.keel.spring.boot.autoconfigure.dlq.KeelDeadLettersAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.saga.KeelSagaAutoConfiguration;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keel in Spring Boot's Actuator, when spring-boot-actuator is on the class path: the {@code keel}
 * health contributor ({@link KeelHealth}) and the {@code keel} endpoint ({@link KeelEndpoint}, or
 * {@link KeelOperationsEndpoint} with {@code keel.actuator.operations.enabled=true}). Each shows
 * the Keel modules the application has: the outbox (keel-outbox-core), dead letters (the {@link
 * DeadLetters} bean) and sagas (the {@link SagaAdmin} bean), through their operator APIs.
 */
@AutoConfiguration(
    after = {
      KeelAutoConfiguration.class,
      KeelDeadLettersAutoConfiguration.class,
      KeelSagaAutoConfiguration.class
    },
    afterName = "dev.keel.spring.boot.autoconfigure.KeelOutboxAutoConfiguration")
@ConditionalOnClass(
    name = {
      "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
      "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"
    })
@EnableConfigurationProperties(KeelActuatorProperties.class)
public class KeelActuatorAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelActuatorAutoConfiguration() {}

  /** The outbox's section, when keel-outbox-core is present and the outbox is not turned off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OutboxAdmin.class)
  @ConditionalOnBooleanProperty(name = "keel.outbox.enabled", matchIfMissing = true)
  @ConditionalOnBean(KeelDatabase.class)
  static class OutboxSectionConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboxAdmin keelOutboxAdmin(KeelDatabase database) {
      database.prepare("outbox");
      return OutboxAdmin.builder().database(database).build();
    }

    @Bean
    OutboxSection keelOutboxSection(OutboxAdmin admin, KeelActuatorProperties properties) {
      return new OutboxSection(admin, properties.getHealth().getOutboxLagThreshold());
    }
  }

  /** The dead letters' section, when the application has Keel's dead-letter operations. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(DeadLetters.class)
  @ConditionalOnBean({DeadLetters.class, DeadLetterStore.class})
  static class DeadLetterSectionConfiguration {

    @Bean
    DeadLetterSection keelDeadLetterSection(
        DeadLetters deadLetters, DeadLetterStore store, KeelActuatorProperties properties) {
      return new DeadLetterSection(
          deadLetters, store, properties.getHealth().getDeadLettersThreshold());
    }
  }

  /** The sagas' section, when the application has Keel's saga admin. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SagaAdmin.class)
  @ConditionalOnBean(SagaAdmin.class)
  static class SagaSectionConfiguration {

    @Bean
    SagaSection keelSagaSection(
        SagaAdmin admin, KeelActuatorProperties properties, KeelSettings settings) {
      Duration threshold = properties.getHealth().getSagaStuckThreshold();
      if (threshold == null) {
        threshold = settings.duration(ConfigKey.SAGA_STUCK_THRESHOLD);
      }
      return new SagaSection(admin, threshold);
    }
  }

  /** The endpoint: read only, or with its operations when they are enabled. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnAvailableEndpoint(KeelEndpoint.class)
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(
        name = "keel.actuator.operations.enabled",
        havingValue = false,
        matchIfMissing = true)
    KeelEndpoint keelEndpoint(
        ObjectProvider<KeelSection> sections, KeelActuatorProperties properties) {
      return new KeelEndpoint(sections.orderedStream().toList(), properties.getListLimit());
    }

    @Bean
    @ConditionalOnMissingBean(KeelEndpoint.class)
    @ConditionalOnBooleanProperty("keel.actuator.operations.enabled")
    KeelOperationsEndpoint keelOperationsEndpoint(
        ObjectProvider<KeelSection> sections, KeelActuatorProperties properties) {
      List<KeelSection> all = sections.orderedStream().toList();
      return new KeelOperationsEndpoint(all, properties.getListLimit());
    }
  }

  /** The {@code keel} health contributor, when spring-boot-health is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator("keel")
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "keelHealthContributor")
    CompositeHealthContributor keelHealthContributor(ObjectProvider<KeelSection> sections) {
      return KeelHealth.of(sections.orderedStream().toList());
    }
  }
}
