package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.micrometer.DlqMetrics;
import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.retry.InPlaceRetry;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, ordered mode: key K dead-lettered, K's later records parked, other keys processed;
 * replay releases K's records in their original order.
 */
@KeelTest
class OrderedModeIT {

  @Test
  void parksLaterRecordsOfADeadLetteredKeyAndReplayReleasesThemInOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("accounts", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    AtomicBoolean fixed = new AtomicBoolean();
    List<String> processed = new CopyOnWriteArrayList<>();
    ManualTime time = new ManualTime();
    InPlaceRetry retry = InPlaceRetry.builder().sleeper(time.sleeper()).clock(time.clock()).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaIo kafka = new KafkaIo(broker);
        DlqMetrics metrics = DlqMetrics.bind(registry, store, time.clock());
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .orderedMode(true)
                .listener(metrics)
                .build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(Map.copyOf(broker.clientProperties()))
                .sleeper(time.sleeper())
                .clock(time.clock())
                .listener(metrics)
                .build()) {
      Gauge parkedKeys = registry.get(KeelMeters.DLQ_PARKED_KEYS).gauge();
      assertThat(parkedKeys.value()).isZero();
      String[][] input = {
        {"K", "K1"}, {"A", "A1"}, {"K", "K2"}, {"B", "B1"}, {"K", "K3"}, {"A", "A2"}, {null, "N1"}
      };
      for (String[] r : input) {
        kafka.send(topic, r[0], KafkaIo.utf8(r[1]), KafkaIo.envelope(UUID.randomUUID()));
      }
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "ledger",
              List.of(topic),
              retry,
              publisher,
              rec -> {
                String v = new String(rec.value(), StandardCharsets.UTF_8);
                if (v.equals("K1") && !fixed.get()) {
                  throw new NonRetriableKeelException(FailureClass.VALIDATION, "K1 is invalid");
                }
                processed.add(v);
              })) {
        loop.runUntilSeen(input.length);
        assertThat(processed).containsExactly("A1", "B1", "A2", "N1");
        assertThat(loop.deadLettered()).isEqualTo(1);
        assertThat(loop.parked()).isEqualTo(2);
        assertThat(store.isBlocked("ledger", topic, KafkaIo.utf8("K"))).isTrue();
        assertThat(store.isBlocked("ledger", topic, KafkaIo.utf8("A"))).isFalse();
        assertThat(store.blockedKeys()).isEqualTo(1);
        time.advance(Duration.ofSeconds(10)); // the gauge reads the store at most every 10 s
        assertThat(parkedKeys.value()).isEqualTo(1.0);
        assertThat(store.parked("ledger", topic, "K"))
            .extracting(p -> new String(p.record().value(), StandardCharsets.UTF_8))
            .containsExactly("K2", "K3");

        // a later record of K is parked too, other keys keep flowing
        kafka.send(topic, "K", KafkaIo.utf8("K4"), KafkaIo.envelope(UUID.randomUUID()));
        kafka.send(topic, "B", KafkaIo.utf8("B2"), KafkaIo.envelope(UUID.randomUUID()));
        loop.runUntilSeen(input.length + 2);
        assertThat(processed).containsExactly("A1", "B1", "A2", "N1", "B2");
        assertThat(loop.parked()).isEqualTo(3);

        fixed.set(true);
        ActionResult result =
            ops.replay(DeadLetterQuery.builder().group("ledger").key("K").build(), "alice");
        assertThat(result.records()).isEqualTo(1);
        assertThat(result.parkedRecords()).isEqualTo(3);
        assertThat(store.isBlocked("ledger", topic, KafkaIo.utf8("K"))).isFalse();
        assertThat(store.parked("ledger", topic, "K")).isEmpty();
        time.advance(Duration.ofSeconds(10));
        assertThat(parkedKeys.value()).isZero();

        loop.runUntilSeen(input.length + 2 + 4);
        assertThat(processed).containsExactly("A1", "B1", "A2", "N1", "B2", "K1", "K2", "K3", "K4");
        assertThat(loop.parked()).isEqualTo(3);
      }
      AuditEntry audit = ops.audit(1).get(0);
      assertThat(audit.action()).isEqualTo("replay");
      assertThat(audit.actor()).isEqualTo("alice");
      assertThat(audit.records()).isEqualTo(1);
      assertThat(audit.parkedRecords()).isEqualTo(3);
      assertThat(audit.selection()).contains("key=\"K\"", "group=ledger");
    }
  }
}
