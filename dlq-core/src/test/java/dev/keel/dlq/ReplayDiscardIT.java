package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: replay is audited, rate-limited and idempotent; discard removes parked and is audited.
 */
@KeelTest
class ReplayDiscardIT {

  private static List<UUID> deadLetter(
      DeadLetterPublisher publisher, String topic, String group, int n, FailureClass reason) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      FailedRecord r =
          new FailedRecord(
              topic,
              0,
              100 + i,
              KafkaIo.utf8("key-" + i),
              KafkaIo.utf8("{\"n\":" + i + "}"),
              KafkaIo.envelope(id));
      publisher.publish(
          r,
          Failure.once(
              group, reason, new IllegalStateException("failed " + i), java.time.Instant.now()));
    }
    return ids;
  }

  @Test
  void replayIsRateLimitedAuditedAndHasOneEffect(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("invoices", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        dev.keel.dlq.micrometer.DlqMetrics metrics =
            dev.keel.dlq.micrometer.DlqMetrics.bind(registry, store);
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .replayRate(2)
                .sleeper(time.sleeper())
                .clock(time.clock())
                .listener(metrics)
                .build()) {
      List<UUID> ids = deadLetter(publisher, topic, "billing", 4, FailureClass.BUSINESS);

      ActionResult first = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "alice");
      assertThat(first.records()).isEqualTo(4);
      // 4 records at 2/s: three waits of 500 ms, nothing faster
      assertThat(time.sleeps())
          .containsExactly(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));

      ActionResult second = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "alice");
      assertThat(second.records()).isZero();
      assertThat(registry.get(dev.keel.event.KeelMeters.DLQ_REPLAYED).counter().count())
          .isEqualTo(4.0);

      List<ConsumerRecord<byte[], byte[]>> replayed = kafka.readAll(topic, 4);
      assertThat(replayed).hasSize(4);
      Set<String> eventIds = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        ConsumerRecord<byte[], byte[]> r = replayed.get(i);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("key-" + i);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
        assertThat(header(r, "keel-event-id")).isEqualTo(ids.get(i).toString());
        assertThat(r.headers().lastHeader(DeadLetterHeaders.ATTEMPTS)).isNull();
        eventIds.add(header(r, "keel-event-id"));
      }
      assertThat(eventIds).hasSize(4);
      assertThat(store.find(DeadLetterQuery.builder().topic(topic).build()))
          .allSatisfy(
              d -> {
                assertThat(d.status()).isEqualTo(DeadLetterStatus.REPLAYED);
                assertThat(d.replayCount()).isEqualTo(1);
              });

      List<AuditEntry> audit = ops.audit(10);
      assertThat(audit).hasSize(2);
      assertThat(audit.get(1).actor()).isEqualTo("alice");
      assertThat(audit.get(1).action()).isEqualTo("replay");
      assertThat(audit.get(1).records()).isEqualTo(4);
      assertThat(audit.get(1).at()).isEqualTo(time.now());
      assertThat(audit.get(1).selection()).contains("topic=" + topic);
      assertThat(audit.get(0).records()).isZero();
    }
  }

  @Test
  void concurrentReplaysPublishEachDeadLetterOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("refunds", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        DeadLetters a = DeadLetters.builder().store(store).kafka(props).replayRate(1000).build();
        DeadLetters b = DeadLetters.builder().store(store).kafka(props).replayRate(1000).build()) {
      deadLetter(publisher, topic, "refunds", 6, FailureClass.VALIDATION);
      CountDownLatch go = new CountDownLatch(1);
      DeadLetterQuery all = DeadLetterQuery.builder().topic(topic).build();
      CompletableFuture<ActionResult> ra =
          CompletableFuture.supplyAsync(() -> await(go, () -> a.replay(all, "alice")));
      CompletableFuture<ActionResult> rb =
          CompletableFuture.supplyAsync(() -> await(go, () -> b.replay(all, "bob")));
      go.countDown();
      int total = ra.get().records() + rb.get().records();
      assertThat(total).isEqualTo(6);
      assertThat(kafka.readAll(topic, 6)).hasSize(6);
    }
  }

  private static <T> T await(CountDownLatch latch, java.util.function.Supplier<T> s) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return s.get();
  }

  @Test
  void replayTargetsMustBeAllowListed(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("carts", 1);
    String fixed = topics.create("carts-fixed", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .allowedTargets(Set.of(fixed))
                .replayRate(1000)
                .build()) {
      List<UUID> ids = deadLetter(publisher, topic, "carts", 1, FailureClass.VALIDATION);
      assertThatThrownBy(() -> ops.replay(DeadLetterQuery.all(), "mallory", "payments-admin"))
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("not in allowedTargets");
      assertThat(ops.audit(10)).isEmpty();
      ActionResult r = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "alice", fixed);
      assertThat(r.records()).isEqualTo(1);
      ConsumerRecord<byte[], byte[]> out = kafka.readAll(fixed, 1).get(0);
      assertThat(header(out, "keel-event-id")).isEqualTo(ids.get(0).toString());
      assertThat(ops.audit(1).get(0).target()).isEqualTo(fixed);
    }
  }

  @Test
  void discardRemovesParkedRecordsUnblocksTheKeyAndIsAudited(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("shipments", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).orderedMode(true).build();
        DeadLetters ops = DeadLetters.builder().store(store).kafka(props).build()) {
      FailedRecord k1 = rec(topic, 0, "S", "s1");
      publisher.publish(
          k1,
          Failure.once(
              "shipping",
              FailureClass.BUSINESS,
              new IllegalStateException("no address"),
              java.time.Instant.now()));
      assertThat(publisher.parkIfBlocked("shipping", rec(topic, 1, "S", "s2"))).isTrue();
      assertThat(publisher.parkIfBlocked("shipping", rec(topic, 2, "S", "s3"))).isTrue();
      assertThat(publisher.parkIfBlocked("shipping", rec(topic, 2, "S", "s3")))
          .as("redelivered record parked once")
          .isTrue();
      assertThat(publisher.parkIfBlocked("shipping", rec(topic, 3, "T", "t1"))).isFalse();
      assertThat(publisher.parkIfBlocked("other-group", rec(topic, 4, "S", "s4"))).isFalse();
      assertThat(store.parked("shipping", topic, "S")).hasSize(2);

      ActionResult r = ops.discard(DeadLetterQuery.builder().key("S").build(), "bob");
      assertThat(r.records()).isEqualTo(1);
      assertThat(r.parkedRecords()).isEqualTo(2);
      assertThat(store.parked("shipping", topic, "S")).isEmpty();
      assertThat(store.isBlocked("shipping", topic, KafkaIo.utf8("S"))).isFalse();
      assertThat(publisher.parkIfBlocked("shipping", rec(topic, 5, "S", "s5"))).isFalse();
      assertThat(store.get(r.ids().get(0)).orElseThrow().status())
          .isEqualTo(DeadLetterStatus.DISCARDED);

      AuditEntry a = ops.audit(1).get(0);
      assertThat(a.action()).isEqualTo("discard");
      assertThat(a.actor()).isEqualTo("bob");
      assertThat(a.records()).isEqualTo(1);
      assertThat(a.parkedRecords()).isEqualTo(2);
      assertThat(a.at()).isNotNull();

      assertThat(ops.discard(DeadLetterQuery.builder().key("S").build(), "bob").records()).isZero();
      assertThatThrownBy(() -> ops.discard(DeadLetterQuery.all(), " "))
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("actor");
    }
  }

  private static FailedRecord rec(String topic, long offset, String key, String value) {
    return new FailedRecord(
        topic,
        0,
        offset,
        KafkaIo.utf8(key),
        KafkaIo.utf8(value),
        KafkaIo.envelope(UUID.randomUUID()));
  }
}
