package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The relay bean: built from the data source, spring.kafka and keel.*, run by the context. */
@KeelTest
class KeelRelayIT {

  static ApplicationContextRunner app(IsolatedDatabase db, KafkaBroker kafka) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class,
                KeelRelayAutoConfiguration.class))
        .withPropertyValues(TransactionalOutboxIT.datasource(db))
        .withPropertyValues(
            "spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "spring.kafka.client-id=relay-it",
            "keel.relay.poll-interval=100ms",
            "keel.relay.close-timeout=5s");
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

  @Test
  void theRelayPublishesWhatATransactionCommittedAndStopsWithTheContext(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) {
    String topic = topics.create("orders", 3);
    try (TopicRecorder<String> recorder =
        new TopicRecorder<>(kafka, topic, r -> new String(r.key(), StandardCharsets.UTF_8))) {
      app(db, kafka)
          .withPropertyValues("keel.outbox.lanes=8")
          .run(
              ctx -> {
                OutboxRelay relay = ctx.getBean(OutboxRelay.class);
                assertThat(relay.isRunning()).isTrue();
                assertThat(ctx.getBean(Outbox.class).lanes()).isEqualTo(8);
                TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
                new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class))
                    .executeWithoutResult(
                        s -> {
                          outbox.append(event(topic, "k-1"));
                          outbox.append(event(topic, "k-2"));
                        });
                await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                        () ->
                            assertThat(recorder.values()).containsExactlyInAnyOrder("k-1", "k-2"));

                KeelLifecycle lifecycle = ctx.getBean("keelRelayLifecycle", KeelLifecycle.class);
                assertThat(lifecycle.isRunning()).isTrue();
                ((ConfigurableApplicationContext) ctx.getSourceApplicationContext()).stop();
                assertThat(relay.isRunning()).isFalse();
                assertThat(lifecycle.isRunning()).isFalse();
              });
    }
  }

  @Test
  void theApplicationsObservationRegistryObservesAppendAndSend(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) {
    String topic = topics.create("observed", 1);
    TestObservationRegistry registry = TestObservationRegistry.create();
    try (TopicRecorder<String> recorder =
        new TopicRecorder<>(kafka, topic, r -> new String(r.key(), StandardCharsets.UTF_8))) {
      app(db, kafka)
          .withBean(ObservationRegistry.class, () -> registry)
          .run(
              ctx -> {
                TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
                new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class))
                    .executeWithoutResult(s -> outbox.append(event(topic, "k-1")));
                await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(recorder.values()).containsExactly("k-1"));
                await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                        () ->
                            TestObservationRegistryAssert.assertThat(registry)
                                .hasObservationWithNameEqualTo("keel.outbox.append")
                                .that()
                                .hasBeenStopped()
                                .hasContextualNameEqualTo("create " + topic)
                                .backToTestObservationRegistry()
                                .hasObservationWithNameEqualTo("keel.outbox.send")
                                .that()
                                .hasBeenStopped()
                                .hasContextualNameEqualTo("send " + topic));
              });
    }
  }

  @Test
  void keelRelayEnabledFalseTurnsTheRelayOffAndKeepsTheOutbox(
      IsolatedDatabase db, KafkaBroker kafka) {
    app(db, kafka)
        .withPropertyValues("keel.relay.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .doesNotHaveBean(OutboxRelay.class)
                    .doesNotHaveBean(KeelLifecycle.class)
                    .hasSingleBean(TransactionalOutbox.class));
  }

  @Test
  void keelOutboxEnabledFalseTurnsTheOutboxAndTheRelayOff(IsolatedDatabase db, KafkaBroker kafka) {
    app(db, kafka)
        .withPropertyValues("keel.outbox.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .doesNotHaveBean(Outbox.class)
                    .doesNotHaveBean(TransactionalOutbox.class)
                    .doesNotHaveBean(OutboxRelay.class));
  }
}
