package dev.keel.spring.boot.autoconfigure.ops;

import dev.keel.event.Event;
import dev.keel.spring.boot.autoconfigure.KeelAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.actuate.KeelActuatorAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.dlq.KeelDeadLettersAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.saga.KeelSagaAutoConfiguration;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.security.Principal;
import java.util.Map;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A Boot application of Keel's operations auto-configuration on the test broker and database. */
final class OpsApps {
  private OpsApps() {}

  static ApplicationContextRunner app(IsolatedDatabase db, KafkaBroker kafka) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelSagaAutoConfiguration.class,
                KeelDeadLettersAutoConfiguration.class,
                EndpointAutoConfiguration.class,
                HealthContributorAutoConfiguration.class,
                KeelActuatorAutoConfiguration.class))
        .withPropertyValues(
            "spring.datasource.url=" + db.jdbcUrl(),
            "spring.datasource.username=" + db.user(),
            "spring.datasource.password=" + db.password(),
            "spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "spring.kafka.properties.auto.offset.reset=earliest",
            "management.endpoints.web.exposure.include=health,keel",
            "keel.consumer.poll-timeout=100ms",
            "keel.consumer.close-timeout=10s",
            "keel.saga.scan-interval=100ms");
  }

  static Event event(String topic, String key) {
    return Event.builder()
        .type("order.placed")
        .topic(topic)
        .key(key)
        .source("order-service")
        .payloadJson(Map.of("orderId", key))
        .build();
  }

  /** The security context of a request by {@code name}, or of an anonymous one when null. */
  static SecurityContext as(String name) {
    Principal principal = name == null ? null : () -> name;
    return new SecurityContext() {
      @Override
      public Principal getPrincipal() {
        return principal;
      }

      @Override
      public boolean isUserInRole(String role) {
        return false;
      }
    };
  }
}
