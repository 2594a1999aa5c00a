package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The guarantees every {@link DeadLetterStore} dialect keeps; each database is a small subclass
 * that hands its {@link IsolatedDatabase} to {@link #check}.
 */
abstract class DeadLetterStoreContract {

  /** Queries by topic, group, reason, key and time window; parking, replay and discard SQL. */
  void check(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String orders = topics.create("orders", 1);
    String stock = topics.create("stock", 1);
    ManualTime time = new ManualTime();
    DeadLetterStore store =
        DeadLetterStore.builder().dataSource(db.dataSource()).clock(time.clock()).build();
    store.install();
    store.install(); // idempotent
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(props)
                .store(store)
                .orderedMode(true)
                .clock(time.clock())
                .build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(props)
                .replayRate(1000)
                .clock(time.clock())
                .build()) {
      Instant t0 = time.now();
      publish(publisher, orders, 0, "o-1", "billing", FailureClass.VALIDATION, time);
      time.advance(Duration.ofMinutes(10));
      publish(publisher, orders, 1, "o-2", "shipping", FailureClass.BUSINESS, time);
      time.advance(Duration.ofMinutes(10));
      publish(publisher, stock, 0, "s-1", "billing", FailureClass.VALIDATION, time);
      time.advance(Duration.ofMinutes(10));
      publish(publisher, stock, 1, null, "billing", FailureClass.DESERIALIZATION, time);

      assertThat(store.find(DeadLetterQuery.all())).hasSize(4);
      assertThat(store.find(DeadLetterQuery.builder().topic(orders).build()))
          .extracting(DeadLetter::keyText)
          .containsExactly("o-1", "o-2");
      assertThat(store.find(DeadLetterQuery.builder().group("billing").build())).hasSize(3);
      assertThat(
              store.find(
                  DeadLetterQuery.builder()
                      .group("billing")
                      .reason(FailureClass.VALIDATION)
                      .build()))
          .extracting(DeadLetter::topic)
          .containsExactly(orders, stock);
      assertThat(store.find(DeadLetterQuery.builder().key("s-1").build()))
          .singleElement()
          .satisfies(d -> assertThat(d.topic()).isEqualTo(stock));
      assertThat(
              store.find(
                  DeadLetterQuery.builder()
                      .from(t0.plus(Duration.ofMinutes(5)))
                      .to(t0.plus(Duration.ofMinutes(20)))
                      .build()))
          .extracting(DeadLetter::keyText)
          .containsExactly("o-2");
      assertThat(store.find(DeadLetterQuery.builder().from(t0).to(t0.plusSeconds(1)).build()))
          .hasSize(1);
      List<DeadLetter> page = store.find(DeadLetterQuery.builder().limit(2).build());
      assertThat(page).hasSize(2);
      assertThat(store.find(DeadLetterQuery.builder().afterId(page.get(1).id()).build()))
          .hasSize(2);
      DeadLetter unkeyed =
          store.find(DeadLetterQuery.builder().reason(FailureClass.DESERIALIZATION).build()).get(0);
      assertThat(unkeyed.key()).isNull();
      assertThat(unkeyed.createdAt()).isEqualTo(t0.plus(Duration.ofMinutes(30)));
      assertThat(store.get(unkeyed.id())).contains(unkeyed);
      assertThat(store.get(-1)).isEmpty();

      // parking per key, released in order by replay, removed by discard
      assertThat(store.blockedKeys()).isEqualTo(3);
      for (int i = 0; i < 3; i++) {
        assertThat(publisher.parkIfBlocked("billing", rec(orders, 10 + i, "o-1", "p" + i)))
            .isTrue();
      }
      assertThat(store.parked("billing", orders, "o-1"))
          .extracting(p -> new String(p.record().value(), StandardCharsets.UTF_8))
          .containsExactly("p0", "p1", "p2");
      ActionResult replay = ops.replay(DeadLetterQuery.builder().key("o-1").build(), "ops");
      assertThat(replay.records()).isEqualTo(1);
      assertThat(replay.parkedRecords()).isEqualTo(3);
      ActionResult discard = ops.discard(DeadLetterQuery.builder().topic(stock).build(), "ops");
      assertThat(discard.records()).isEqualTo(2);
      assertThat(store.blockedKeys()).isEqualTo(1);
      assertThat(store.find(DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).build()))
          .extracting(DeadLetter::keyText)
          .containsExactly("o-2");
      assertThat(ops.audit(10)).extracting(AuditEntry::action).containsExactly("discard", "replay");
    }
  }

  private static void publish(
      DeadLetterPublisher publisher,
      String topic,
      long offset,
      String key,
      String group,
      FailureClass reason,
      ManualTime time) {
    publisher.publish(
        rec(topic, offset, key, "{\"v\":" + offset + "}"),
        Failure.once(group, reason, new IllegalStateException("bad " + offset), time.now()));
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
