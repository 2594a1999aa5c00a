package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.outbox.OutboxRelay;
import dev.keel.spring.boot.autoconfigure.app.Billing;
import dev.keel.spring.boot.autoconfigure.app.PurchaseOrder;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerContainer;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * A whole Boot application, configured by the auto-configuration imports file alone (no Keel class
 * named): Flyway migrates the application's and Keel's tables apart, a {@code @Transactional}
 * method saves an entity and appends an event, the relay publishes it, and a {@code @KeelListener}
 * bean consumes it in a transaction with its dedupe row.
 */
@KeelTest
class BootApplicationIT {

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @EntityScan(basePackageClasses = PurchaseOrder.class)
  static class App {
    @Bean
    Billing billing(EntityManagerFactory emf, JdbcTemplate jdbc) {
      return new Billing(emf, jdbc);
    }

    @Bean
    Orders orders(EntityManagerFactory emf, TransactionalOutbox outbox) {
      return new Orders(emf, outbox);
    }
  }

  /** The application's service: an entity and an event in one @Transactional method. */
  static class Orders {
    private final jakarta.persistence.EntityManager em;
    private final TransactionalOutbox outbox;

    Orders(EntityManagerFactory emf, TransactionalOutbox outbox) {
      this.em =
          org.springframework.orm.jpa.SharedEntityManagerCreator.createSharedEntityManager(emf);
      this.outbox = outbox;
    }

    @Transactional
    public UUID place(String orderId) {
      em.persist(new PurchaseOrder(orderId, 10));
      return outbox.append(KeelRelayIT.event(Billing.TOPIC, orderId));
    }
  }

  @Test
  void anOrderPlacedInABootApplicationIsPublishedAndConsumedOnce(
      IsolatedDatabase db, KafkaBroker kafka) {
    kafka.createTopic(Billing.TOPIC, 1); // no error when it exists
    try (ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                Map.of(
                    "spring.datasource.url", db.jdbcUrl(),
                    "spring.datasource.username", db.user(),
                    "spring.datasource.password", db.password(),
                    "spring.jpa.hibernate.ddl-auto", "validate",
                    "spring.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "spring.kafka.consumer.auto-offset-reset", "earliest",
                    "keel.relay.poll-interval", "100ms",
                    "keel.relay.close-timeout", "5s",
                    "keel.consumer.close-timeout", "5s",
                    // Liquibase is on this module's test class path for KeelLiquibaseIT; this
                    // application migrates with Flyway.
                    "spring.liquibase.enabled", "false"))
            .run()) {
      assertThat(ctx.getBean(KeelDatabase.class).schemaPolicy()).isEqualTo(SchemaPolicy.NONE);
      assertThat(ctx.getBean(OutboxRelay.class).isRunning()).isTrue();
      assertThat(ctx.getBean(KeelListenerContainer.class).isRunning()).isTrue();

      UUID id = ctx.getBean(Orders.class).place("boot-1");

      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          jdbc.queryForObject(
                              "SELECT count(*) FROM purchase_order WHERE id IN (?, ?)",
                              Long.class,
                              "jpa-" + id,
                              "jdbc-" + id))
                      .isEqualTo(2));
      assertThat(
              jdbc.queryForObject(
                  "SELECT count(*) FROM keel_consumer_dedupe WHERE consumer_group = ? AND event_id = ?",
                  Long.class,
                  Billing.GROUP,
                  id.toString()))
          .isEqualTo(1);
      assertThat(ctx.getBean(Billing.class).calls).hasValue(1);
      ctx.stop();
      assertThat(ctx.getBean(KeelListenerContainer.class).isRunning()).isFalse();
      assertThat(ctx.getBean(OutboxRelay.class).isRunning()).isFalse();
    }
  }
}
