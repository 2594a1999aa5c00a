package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.Failure;
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
import java.util.concurrent.CopyOnWriteArrayList;
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
      assertThat(
              registry
                  .get(dev.keel.event.KeelMeters.DLQ_REPLAYED)
                  .tag("group", "billing")
                  .counter()
                  .count())
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
  void replaysAreCountedPerConsumerGroup(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("counted", 1);
    String refundsTopic = topics.create("counted-r", 1);
    String shippingTopic = topics.create("counted-s", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry listened =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        dev.keel.dlq.micrometer.DlqMetrics metrics =
            dev.keel.dlq.micrometer.DlqMetrics.bind(listened, null);
        DeadLetters billing =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .replayRate(100_000)
                .meterRegistry(registry)
                .build();
        DeadLetters both =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .replayRate(100_000)
                .listener(metrics)
                .build()) {
      deadLetter(publisher, topic, "billing", 2, FailureClass.BUSINESS);
      deadLetter(publisher, refundsTopic, "refunds", 3, FailureClass.BUSINESS);
      deadLetter(publisher, shippingTopic, "shipping", 1, FailureClass.BUSINESS);
      try (DeadLetters refunds =
          DeadLetters.builder()
              .store(store)
              .kafka(props)
              .replayRate(100_000)
              .meterRegistry(registry)
              .build()) {
        assertThat(billing.replay(DeadLetterQuery.builder().group("billing").build(), "a").groups())
            .isEqualTo(Map.of("billing", 2));
        assertThat(
                refunds.replay(DeadLetterQuery.builder().group("refunds").build(), "b").records())
            .isEqualTo(3);
        String replayed = dev.keel.event.KeelMeters.DLQ_REPLAYED;
        assertThat(registry.get(replayed).tag("group", "billing").counter().count()).isEqualTo(2);
        assertThat(registry.get(replayed).tag("group", "refunds").counter().count()).isEqualTo(3);
      }
      // closing one takes its own counter only
      String replayed = dev.keel.event.KeelMeters.DLQ_REPLAYED;
      assertThat(registry.find(replayed).tag("group", "refunds").counter()).isNull();
      assertThat(registry.get(replayed).tag("group", "billing").counter().count()).isEqualTo(2);

      // a DlqMetrics listener counts each group of one action apart
      deadLetter(publisher, shippingTopic, "billing", 1, FailureClass.BUSINESS);
      ActionResult r = both.replay(DeadLetterQuery.all(), "c");
      assertThat(r.groups()).isEqualTo(Map.of("billing", 1, "shipping", 1));
      assertThat(listened.get(replayed).tag("group", "billing").counter().count()).isEqualTo(1);
      assertThat(listened.get(replayed).tag("group", "shipping").counter().count()).isEqualTo(1);
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
    ManualTime time = new ManualTime();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    List<String> parkedHeard = new CopyOnWriteArrayList<>();
    List<ActionResult> discardedHeard = new CopyOnWriteArrayList<>();
    DeadLetterListener recorder =
        new DeadLetterListener() {
          @Override
          public void onParked(String group, String topic) {
            parkedHeard.add(group + "/" + topic);
          }

          @Override
          public void onDiscarded(ActionResult result) {
            discardedHeard.add(result);
          }
        };
    try (dev.keel.dlq.micrometer.DlqMetrics metrics =
            dev.keel.dlq.micrometer.DlqMetrics.bind(registry, store, time.clock());
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(props)
                .store(store)
                .orderedMode(true)
                .listener(recorder)
                .listener(metrics)
                .build();
        DeadLetters ops =
            DeadLetters.builder().store(store).kafka(props).listener(recorder).build()) {
      io.micrometer.core.instrument.Gauge parkedKeys =
          registry.get(dev.keel.event.KeelMeters.DLQ_PARKED_KEYS).gauge();
      assertThat(parkedKeys.value()).isZero();
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
      // parked twice (the redelivery reports parked again), never for the unblocked cases
      assertThat(parkedHeard)
          .containsExactly("shipping/" + topic, "shipping/" + topic, "shipping/" + topic);
      time.advance(Duration.ofSeconds(10));
      assertThat(parkedKeys.value()).isEqualTo(1.0);

      ActionResult r = ops.discard(DeadLetterQuery.builder().key("S").build(), "bob");
      assertThat(discardedHeard).containsExactly(r);
      assertThat(discardedHeard.get(0).action()).isEqualTo("discard");
      assertThat(discardedHeard.get(0).records()).isEqualTo(1);
      assertThat(discardedHeard.get(0).parkedRecords()).isEqualTo(2);
      assertThat(discardedHeard.get(0).ids())
          .containsExactly(store.find(DeadLetterQuery.builder().key("S").build()).get(0).id());
      time.advance(Duration.ofSeconds(10));
      assertThat(parkedKeys.value()).isZero();
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

      assertThat(a.outcome()).isEqualTo("completed");

      assertThat(ops.discard(DeadLetterQuery.builder().key("S").build(), "bob").records()).isZero();
      assertThat(discardedHeard).hasSize(2);
      assertThatThrownBy(() -> ops.discard(DeadLetterQuery.all(), " "))
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("actor");
    }
  }

  @Test
  void replayAndDiscardReportTheirProgressAfterEachResolvedDeadLetter(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("progress", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    List<String> progress = new CopyOnWriteArrayList<>();
    DeadLetterListener listener =
        new DeadLetterListener() {
          @Override
          public void onProgress(String action, long handled, long selected) {
            progress.add(action + " " + handled + "/" + selected);
          }
        };
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .replayRate(100_000)
                .listener(listener)
                .build()) {
      deadLetter(publisher, topic, "progress", 25, FailureClass.BUSINESS);

      ops.replay(DeadLetterQuery.builder().topic(topic).limit(10).build(), "alice");
      List<String> replay = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        replay.add("replay " + i + "/10");
      }
      assertThat(progress).containsExactlyElementsOf(replay);

      progress.clear();
      ops.discard(DeadLetterQuery.builder().topic(topic).build(), "alice");
      assertThat(progress).hasSize(15).first().isEqualTo("discard 1/15");
      assertThat(progress).last().isEqualTo("discard 15/15");
    }
  }

  @Test
  void replayAndDiscardActOnEveryMatchBeyondTheListLimitUnlessALimitIsGiven(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("returns", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    int n = DeadLetterQuery.DEFAULT_LIMIT + 130;
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        DeadLetters ops =
            DeadLetters.builder().store(store).kafka(props).replayRate(100_000).build()) {
      deadLetter(publisher, topic, "returns", n, FailureClass.BUSINESS);
      DeadLetterQuery all = DeadLetterQuery.builder().topic(topic).build();
      assertThat(ops.list(all)).hasSize(DeadLetterQuery.DEFAULT_LIMIT);
      assertThat(store.count(all)).isEqualTo(n);

      // an explicit limit is honoured and reported against what matched
      ActionResult limited =
          ops.replay(DeadLetterQuery.builder().topic(topic).limit(30).build(), "alice");
      assertThat(limited.matched()).isEqualTo(n);
      assertThat(limited.records()).isEqualTo(30);
      assertThat(ops.audit(1).get(0).selection()).contains("limit=30");

      // without one, every match: more than one page of the default limit
      ActionResult replayed = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "alice");
      assertThat(replayed.matched()).isEqualTo(n - 30);
      assertThat(replayed.records()).isEqualTo(n - 30);
      assertThat(ops.audit(1).get(0).selection()).doesNotContain("limit");
      assertThat(kafka.readAll(topic, n)).hasSize(n);
      assertThat(
              store.count(
                  DeadLetterQuery.builder().topic(topic).status(DeadLetterStatus.REPLAYED).build()))
          .isEqualTo(n);

      deadLetter(publisher, topic + "-more", "returns", n, FailureClass.VALIDATION);
      ActionResult discarded = ops.discard(DeadLetterQuery.all(), "bob");
      assertThat(discarded.matched()).isEqualTo(n);
      assertThat(discarded.records()).isEqualTo(n);
      assertThat(store.count(DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).build()))
          .isZero();
    }
  }

  @Test
  void aReplayThatFailsPartWayIsAuditedWithWhatItDid(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("quotes", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    // the replay producer refuses records over 4 KiB for good: the 4th dead letter below
    Map<String, Object> small = new java.util.HashMap<>(props);
    small.put("max.request.size", 4096);
    List<ActionResult> heard = new CopyOnWriteArrayList<>();
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(small)
                .replayRate(100_000)
                .listener(
                    new DeadLetterListener() {
                      @Override
                      public void onReplayed(ActionResult result) {
                        heard.add(result);
                      }
                    })
                .build()) {
      for (int i = 0; i < 5; i++) {
        String value = i == 3 ? "x".repeat(8192) : "{\"q\":" + i + "}";
        publisher.publish(
            new FailedRecord(
                topic,
                0,
                i,
                KafkaIo.utf8("q-" + i),
                KafkaIo.utf8(value),
                KafkaIo.envelope(UUID.randomUUID())),
            Failure.once(
                "quoting",
                FailureClass.BUSINESS,
                new IllegalStateException("q" + i),
                java.time.Instant.now()));
      }
      DeadLetterQuery all = DeadLetterQuery.builder().topic(topic).build();
      assertThatThrownBy(() -> ops.replay(all, "carol"))
          .isInstanceOf(dev.keel.event.KeelException.class)
          .hasMessageContaining("RecordTooLarge");

      List<DeadLetter> rows = store.find(all);
      assertThat(rows)
          .extracting(DeadLetter::status)
          .containsExactly(
              DeadLetterStatus.REPLAYED,
              DeadLetterStatus.REPLAYED,
              DeadLetterStatus.REPLAYED,
              DeadLetterStatus.DEAD,
              DeadLetterStatus.DEAD);
      AuditEntry a = ops.audit(1).get(0);
      assertThat(a.action()).isEqualTo("replay");
      assertThat(a.actor()).isEqualTo("carol");
      assertThat(a.records()).isEqualTo(3);
      assertThat(a.outcome())
          .startsWith("failed after 3 dead letter(s): ")
          .contains("RecordTooLarge");
      assertThat(heard).as("listeners hear completed actions only").isEmpty();

      // replaying again picks up where it stopped and fails on the same record, audited again
      assertThatThrownBy(() -> ops.replay(all, "carol")).hasMessageContaining("RecordTooLarge");
      assertThat(ops.audit(1).get(0).records()).isZero();
      assertThat(ops.audit(10)).hasSize(2);
      ActionResult rest = ops.discard(DeadLetterQuery.builder().topic(topic).build(), "carol");
      assertThat(rest.records()).isEqualTo(2);
      assertThat(ops.audit(1).get(0).outcome()).isEqualTo("completed");
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
