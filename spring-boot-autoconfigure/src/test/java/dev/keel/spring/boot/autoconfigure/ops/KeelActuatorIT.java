package dev.keel.spring.boot.autoconfigure.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxAuditEntry;
import dev.keel.outbox.OutboxRelay;
import dev.keel.retry.Failure;
import dev.keel.spring.boot.autoconfigure.actuate.KeelEndpoint;
import dev.keel.spring.boot.autoconfigure.actuate.KeelOperationsEndpoint;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The keel health contributor and endpoint against the real broker and database: a stopped strict
 * lane turns {@code relayLanes} DOWN and is resumed through the endpoint; a dead letter shows in
 * the endpoint and health, and is replayed through the endpoint under the principal's name.
 */
@KeelTest
@SuppressWarnings("unchecked")
class KeelActuatorIT {

  /** The outbox and a strictly ordered one-lane relay whose attempts run out quickly. */
  @Configuration(proxyBeanMethods = false)
  static class StrictRelay {
    @Bean
    Outbox outbox(KeelDatabase database) {
      database.prepare("outbox");
      return Outbox.builder().database(database).lanes(1).build();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    OutboxRelay relay(KeelDatabase database, KeelKafka kafka, Outbox outbox, KeelSettings s) {
      return OutboxRelay.builder()
          .database(database)
          .kafka(kafka)
          .outbox(outbox)
          .lanes(1)
          .strictOrdering(true)
          .maxAttempts(3)
          .pollInterval(Duration.ofMillis(100))
          .closeTimeout(Duration.ofSeconds(5))
          .build();
    }
  }

  static Health health(AssertableApplicationContext ctx, String check) {
    CompositeHealthContributor keel =
        ctx.getBean("keelHealthContributor", CompositeHealthContributor.class);
    return ((HealthIndicator) keel.getContributor(check)).health();
  }

  @Test
  void aStoppedStrictLaneIsDownWithTheLaneAndIsResumedThroughTheEndpointAsThePrincipal(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) {
    String topic = topics.create("strict", 1);
    String missing = "missing-" + UUID.randomUUID(); // never created; auto-create is off
    OpsApps.app(db, kafka)
        .withUserConfiguration(StrictRelay.class)
        .withPropertyValues(
            "spring.kafka.properties.max.block.ms=300",
            "keel.actuator.operations.enabled=true",
            "keel.actuator.health.outbox-lag-threshold=1s")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(health(ctx, "relayLanes").getStatus()).isEqualTo(Status.UP);
              Outbox outbox = ctx.getBean(Outbox.class);
              UUID poison;
              try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                poison = outbox.append(c, OpsApps.event(missing, "K"));
                outbox.append(c, OpsApps.event(topic, "K"));
                c.commit();
              }
              await()
                  .atMost(Duration.ofSeconds(60))
                  .until(() -> health(ctx, "relayLanes").getStatus().equals(Status.DOWN));
              Health lanes = health(ctx, "relayLanes");
              assertThat(m(lanes.getDetails().get("stoppedLanes"))).containsOnlyKeys("0");
              assertThat(lanes.getDetails().get("action").toString()).contains("resume");
              // the row behind the stop waits: the outbox lag passes its threshold
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> health(ctx, "outboxLag").getStatus().equals(Status.DOWN));
              assertThat(health(ctx, "outboxLag").getDetails()).containsEntry("pending", 1L);

              KeelOperationsEndpoint endpoint = ctx.getBean(KeelOperationsEndpoint.class);
              Map<String, Object> outboxState = m(endpoint.keel().get("outbox"));
              assertThat(m(outboxState.get("stoppedLanes"))).containsOnlyKeys("0");
              assertThat((List<Object>) outboxState.get("quarantined"))
                  .extracting(q -> m(q).get("eventId"))
                  .containsExactly(poison.toString());

              endpoint.operate(
                  "outbox-event", poison.toString(), "discard", null, OpsApps.as("carol"));
              Map<String, Object> resumed =
                  endpoint.operate("outbox-lane", "0", "resume", "fixed", OpsApps.as("carol"));
              assertThat(resumed).containsEntry("done", true).containsEntry("actor", "carol");
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> health(ctx, "outboxLag").getStatus().equals(Status.UP));
              assertThat(health(ctx, "relayLanes").getStatus()).isEqualTo(Status.UP);
              List<OutboxAuditEntry> audit = ctx.getBean(OutboxAdmin.class).audit(10);
              assertThat(audit)
                  .hasSize(2)
                  .allSatisfy(a -> assertThat(a.actor()).isEqualTo("carol"));
            });
  }

  @Test
  void aDeadLetterShowsInHealthAndEndpointAndIsReplayedThroughTheEndpointAsThePrincipal(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) throws Exception {
    String topic = topics.create("orders", 1);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic(DeadLetterPublisher.dlqTopic(topic), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (TopicRecorder<String> replayed =
        new TopicRecorder<>(kafka, topic, r -> new String(r.key(), StandardCharsets.UTF_8))) {
      OpsApps.app(db, kafka)
          .withPropertyValues("keel.actuator.operations.enabled=true")
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                assertThat(health(ctx, "deadLetters").getStatus()).isEqualTo(Status.UP);
                DeadLetterStore store = ctx.getBean(DeadLetterStore.class);
                try (DeadLetterPublisher publisher =
                    DeadLetterPublisher.builder()
                        .kafka(kafka.clientProperties())
                        .store(store)
                        .orderedMode(true)
                        .build()) {
                  publisher.publish(
                      record(topic, "order-42"),
                      Failure.once(
                          "fulfil",
                          FailureClass.VALIDATION,
                          new IllegalArgumentException("no sku"),
                          Instant.now()));
                }
                long id = store.find(DeadLetterQuery.all()).get(0).id();

                Health dl = health(ctx, "deadLetters");
                assertThat(dl.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                assertThat(dl.getDetails()).containsEntry("waiting", 1L);
                assertThat(m(dl.getDetails().get("oldest")))
                    .containsEntry("id", id)
                    .containsEntry("topic", topic)
                    .containsEntry("message", "no sku");

                KeelOperationsEndpoint endpoint = ctx.getBean(KeelOperationsEndpoint.class);
                Map<String, Object> dead = m(endpoint.keel().get("deadLetters"));
                assertThat(dead.get("waiting")).isEqualTo(1L);
                assertThat(endpoint.item("dead-letter", String.valueOf(id)))
                    .containsEntry("group", "fulfil")
                    .containsEntry("key", "order-42")
                    .containsEntry("status", "DEAD");
                assertThat(endpoint.item("dead-letter", "999999")).isNull();

                // without a principal: refused, nothing changes
                assertThatThrownBy(
                        () ->
                            endpoint.operate(
                                "dead-letter",
                                String.valueOf(id),
                                "replay",
                                null,
                                OpsApps.as(null)))
                    .isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessageContaining("no authenticated principal");
                assertThat(store.get(id).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);
                assertThat(ctx.getBean(DeadLetters.class).audit(10)).isEmpty();

                Map<String, Object> result =
                    endpoint.operate(
                        "dead-letter", String.valueOf(id), "replay", null, OpsApps.as("alice"));
                assertThat(result).containsEntry("actor", "alice").containsEntry("records", 1);
                await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(replayed.values()).containsExactly("order-42"));
                assertThat(store.get(id).orElseThrow().status())
                    .isEqualTo(DeadLetterStatus.REPLAYED);
                assertThat(ctx.getBean(DeadLetters.class).audit(10))
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.actor()).isEqualTo("alice");
                          assertThat(a.action()).isEqualTo("replay");
                        });
                assertThat(health(ctx, "deadLetters").getStatus()).isEqualTo(Status.UP);

                // a second replay selects nothing: only DEAD dead letters are replayed
                assertThat(
                        endpoint.operate(
                            "dead-letter", String.valueOf(id), "replay", null, OpsApps.as("alice")))
                    .containsEntry("records", 0);
              });
    }
  }

  @Test
  void withoutOperationsEnabledTheEndpointIsReadOnly(IsolatedDatabase db, KafkaBroker kafka) {
    OpsApps.app(db, kafka)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(KeelEndpoint.class);
              assertThat(ctx.getBean(KeelEndpoint.class))
                  .isNotInstanceOf(KeelOperationsEndpoint.class);
              assertThat(ctx.getBean(KeelEndpoint.class).keel())
                  .containsKeys("outbox", "deadLetters")
                  .doesNotContainKey("sagas")
                  .containsEntry("operationsEnabled", false);
            });
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> m(Object o) {
    return (Map<String, Object>) o;
  }

  static FailedRecord record(String topic, String key) {
    return new FailedRecord(
        topic,
        0,
        0,
        key.getBytes(StandardCharsets.UTF_8),
        "{\"sku\":\"\"}".getBytes(StandardCharsets.UTF_8),
        List.of(
            FailedRecord.Header.of("keel-event-id", UUID.randomUUID().toString()),
            FailedRecord.Header.of("keel-event-type", "order.placed"),
            FailedRecord.Header.of("keel-contract-version", "1")));
  }
}
