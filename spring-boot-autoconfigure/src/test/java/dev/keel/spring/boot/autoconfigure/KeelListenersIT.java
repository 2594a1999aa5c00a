package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.spring.boot.autoconfigure.app.Billing;
import dev.keel.spring.boot.autoconfigure.app.PurchaseOrder;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerContainer;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code @KeelListener} methods of Spring beans, run by the consumer runtime on the application's
 * JpaTransactionManager: the handler's JPA and JdbcTemplate writes and Keel's dedupe row commit
 * together, roll back together, and a redelivered event has no second effect (real broker and
 * PostgreSQL).
 */
@KeelTest
class KeelListenersIT {

  @Configuration(proxyBeanMethods = false)
  @EntityScan(basePackageClasses = PurchaseOrder.class)
  static class App {
    @Bean
    Billing billing(EntityManagerFactory emf, JdbcTemplate jdbc) {
      return new Billing(emf, jdbc);
    }
  }

  @BeforeAll
  static void topic(KafkaBroker kafka) {
    kafka.createTopic(Billing.TOPIC, 1);
  }

  private static ApplicationContextRunner app(IsolatedDatabase db, KafkaBroker kafka) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                HibernateJpaAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class,
                KeelRelayAutoConfiguration.class,
                KeelListenersAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withPropertyValues(TransactionalOutboxIT.datasource(db))
        .withPropertyValues(
            "spring.jpa.hibernate.ddl-auto=create",
            "spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "spring.kafka.consumer.auto-offset-reset=earliest",
            "keel.relay.enabled=false",
            "keel.consumer.close-timeout=5s");
  }

  private static Event send(KafkaBroker kafka, int copies) throws Exception {
    Event event =
        Event.builder()
            .type("order.placed")
            .topic(Billing.TOPIC)
            .key("o-1")
            .source("order-service")
            .payloadJson(Map.of("orderId", "o-1"))
            .build();
    Map<String, Object> p = new HashMap<>(kafka.clientProperties());
    p.put("acks", "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < copies; i++) {
        producer.send(KafkaRecords.toProducerRecord(event)).get();
      }
    }
    return event;
  }

  private static long count(ApplicationContext ctx, String sql, Object... args) {
    return ctx.getBean(JdbcTemplate.class).queryForObject(sql, Long.class, args);
  }

  private static long effects(ApplicationContext ctx, Event e) {
    return count(
        ctx,
        "SELECT count(*) FROM purchase_order WHERE id IN (?, ?)",
        "jpa-" + e.id(),
        "jdbc-" + e.id());
  }

  private static long dedupeRows(ApplicationContext ctx, Event e) {
    return count(
        ctx,
        "SELECT count(*) FROM keel_consumer_dedupe WHERE consumer_group = ? AND event_id = ?",
        Billing.GROUP,
        e.id().toString());
  }

  private static long deadLetters(ApplicationContext ctx, Event e) {
    return count(
        ctx, "SELECT count(*) FROM keel_dead_letter WHERE event_id = ?", e.id().toString());
  }

  @Test
  void aFailedAttemptRollsBackTheHandlersWritesAndTheDedupeRowAndTheRetryRedelivers(
      IsolatedDatabase db, KafkaBroker kafka) throws Exception {
    app(db, kafka)
        .run(
            ctx -> {
              Billing billing = ctx.getBean(Billing.class);
              billing.failures.set(1); // fails once, @KeelRetry(maxAttempts = 2) retries once
              Event e = send(kafka, 1);
              await()
                  .atMost(Duration.ofSeconds(60))
                  .untilAsserted(() -> assertThat(dedupeRows(ctx, e)).isEqualTo(1));
              assertThat(billing.calls).hasValue(2);
              // In each attempt the dedupe row was visible to JdbcTemplate before commit: one
              // transaction; the second attempt saw no entity of the first: it was rolled back.
              assertThat(billing.inTransaction).containsExactly(true, true);
              assertThat(billing.dedupeRowsSeen).containsExactly(1L, 1L);
              assertThat(billing.entitiesSeenBefore).containsExactly(0L, 0L);
              assertThat(effects(ctx, e)).isEqualTo(2); // the JPA entity and the JdbcTemplate row
              assertThat(deadLetters(ctx, e)).isZero();
            });
  }

  @Test
  void aRedeliveredEventHasNoSecondEffect(IsolatedDatabase db, KafkaBroker kafka) throws Exception {
    app(db, kafka)
        .run(
            ctx -> {
              Billing billing = ctx.getBean(Billing.class);
              Event e = send(kafka, 3); // the same record three times
              Event marker = send(kafka, 1); // processed after the copies (one partition)
              await()
                  .atMost(Duration.ofSeconds(60))
                  .untilAsserted(() -> assertThat(dedupeRows(ctx, marker)).isEqualTo(1));
              assertThat(billing.calls).hasValue(2); // e once, marker once
              assertThat(effects(ctx, e)).isEqualTo(2);
              assertThat(dedupeRows(ctx, e)).isEqualTo(1);
            });
  }

  @Test
  void propertiesOverrideTheAnnotationsRetryAndOrdering(IsolatedDatabase db, KafkaBroker kafka)
      throws Exception {
    app(db, kafka)
        .withPropertyValues(
            "keel.listeners.billing.retry.max-attempts=1", "keel.listeners.billing.ordering=key")
        .run(
            ctx -> {
              KeelListenerContainer container = ctx.getBean(KeelListenerContainer.class);
              ConsumerRuntime runtime = container.runtimes().get(0);
              ListenerDefinition def = runtime.listeners().get(0);
              assertThat(def.id()).contains("billing");
              assertThat(def.ordering()).isEqualTo(Ordering.KEY);
              Billing billing = ctx.getBean(Billing.class);
              billing.failures.set(1); // one attempt only: dead-lettered, nothing written
              Event e = send(kafka, 1);
              await()
                  .atMost(Duration.ofSeconds(60))
                  .untilAsserted(() -> assertThat(deadLetters(ctx, e)).isEqualTo(1));
              assertThat(billing.calls).hasValue(1);
              assertThat(effects(ctx, e)).isZero();
              assertThat(dedupeRows(ctx, e)).isZero();
            });
  }

  @Test
  void theAnnotationsRetryGivesUpAfterItsAttempts(IsolatedDatabase db, KafkaBroker kafka)
      throws Exception {
    app(db, kafka)
        .run(
            ctx -> {
              Billing billing = ctx.getBean(Billing.class);
              billing.failures.set(2); // @KeelRetry(maxAttempts = 2): the default 3 would succeed
              Event e = send(kafka, 1);
              await()
                  .atMost(Duration.ofSeconds(60))
                  .untilAsserted(() -> assertThat(deadLetters(ctx, e)).isEqualTo(1));
              assertThat(billing.calls).hasValue(2);
              assertThat(effects(ctx, e)).isZero();
              assertThat(dedupeRows(ctx, e)).isZero();
            });
  }

  @Test
  void keelListenersEnabledFalseRunsNoListener(IsolatedDatabase db, KafkaBroker kafka) {
    app(db, kafka)
        .withPropertyValues("keel.listeners.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(KeelListenerContainer.class));
  }

  @Test
  void anUnknownListenerIdInPropertiesFailsTheStartNamingIt(
      IsolatedDatabase db, KafkaBroker kafka) {
    app(db, kafka)
        .withPropertyValues("keel.listeners.biling.ordering=key")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("keel.listeners.biling"));
  }
}
