package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Scenario 8. A mix of poison in a steady flow: undecodable payloads, handlers that fail for good,
 * and handlers that fail transiently on every attempt. A poison record holds its key for no more
 * than the policy's attempts (the time that takes, against the retry budget, is reported, not
 * asserted: it depends on the machine's load); every poison record is in the dead-letter topic and
 * table with its {@code keel-dlq-*} headers; once the handlers are fixed, replaying every dead
 * letter through the same handlers gives each event exactly one effect, and replaying again adds
 * none.
 */
@KeelTest
class PoisonMixIT {
  private static final int EVENTS = Scale.of("poison.events", 6_000, 300_000);

  /** One in ONE_IN of each kind: 1 in 200 by default (counts worth checking), 1 in 10^4 full. */
  private static final int ONE_IN = Scale.of("poison.one.in", 200, 10_000);

  private static final RetryPolicy POLICY =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(50))
          .maxDelay(Duration.ofMillis(200))
          .build();

  /** The payload class the listener decodes. */
  record Item(int k, int seq) {}

  enum Fate {
    FINE,
    UNDECODABLE,
    PERMANENT,
    TRANSIENT
  }

  static Fate fate(UUID id) {
    int n = Math.floorMod(id.hashCode(), ONE_IN);
    return n < 3 ? Fate.values()[n + 1] : Fate.FINE;
  }

  private volatile boolean fixed;
  private final Map<UUID, long[]> transientAttempts = new ConcurrentHashMap<>();

  @Test
  void poisonIsDeadLetteredWithinTheBudgetAndReplayedOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("poison", 4);
    broker.createTopic(topic + ".dlq", 1);
    try (Pipeline p = new Pipeline(broker, topic, db);
        TopicRecorder<Map<String, String>> dlq =
            new TopicRecorder<>(broker, topic + ".dlq", PoisonMixIT::headers)) {
      p.consumerThreads = 4;
      p.consumerCustomizer = b -> b.retryPolicy(POLICY).maxBatchSize(1);
      p.listener = () -> listener(p);
      p.startRelay();
      p.startConsumer();
      Workload load = new Workload(p, db.dataSource(), EVENTS, 1_000, 3, 0.0, 0);
      load.transform =
          e ->
              fate(e.id()) == Fate.UNDECODABLE
                  ? e.toBuilder()
                      .payload("\u0000 not json".getBytes(StandardCharsets.UTF_8))
                      .build()
                  : e;
      load.start();
      load.join();
      p.awaitGroupCaughtUp(Duration.ofSeconds(120));

      Set<UUID> committed = p.committedIds();
      Map<Fate, Set<UUID>> byFate =
          committed.stream().collect(Collectors.groupingBy(PoisonMixIT::fate, Collectors.toSet()));
      Set<UUID> poison =
          committed.stream().filter(id -> fate(id) != Fate.FINE).collect(Collectors.toSet());
      DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
      List<DeadLetter> dead =
          store.find(
              DeadLetterQuery.builder().topic(topic).limit(DeadLetterQuery.MAX_LIMIT).build());
      Set<UUID> deadIds =
          dead.stream()
              .map(d -> UUID.fromString(d.eventIdIfPresent().orElseThrow()))
              .collect(Collectors.toSet());
      assertThat(deadIds).isEqualTo(poison);
      assertThat(dead).hasSize(poison.size());
      for (DeadLetter d : dead) {
        Fate f = fate(UUID.fromString(d.eventId()));
        FailureClass expected =
            switch (f) {
              case UNDECODABLE -> FailureClass.DESERIALIZATION;
              case PERMANENT -> FailureClass.BUSINESS;
              default -> FailureClass.TRANSIENT;
            };
        assertThat(d.reason()).as("reason of %s", f).isEqualTo(expected);
        assertThat(d.attempts()).isEqualTo(f == Fate.TRANSIENT ? 3 : 1);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> dlq.size() >= poison.size());
      for (Map<String, String> h : dlq.values()) {
        assertThat(h)
            .containsKeys(
                DeadLetterHeaders.ORIGINAL_TOPIC,
                DeadLetterHeaders.ORIGINAL_PARTITION,
                DeadLetterHeaders.ORIGINAL_OFFSET,
                DeadLetterHeaders.REASON,
                DeadLetterHeaders.EXCEPTION,
                DeadLetterHeaders.ATTEMPTS,
                DeadLetterHeaders.FIRST_FAILURE,
                DeadLetterHeaders.LAST_FAILURE,
                DeadLetterHeaders.GROUP)
            .doesNotContainKey(DeadLetterHeaders.STACK_TRACE);
      }
      // the longest a transient poison record held its key: first attempt to last attempt
      long budgetMillis = POLICY.maxTotalDelay(FailureClass.TRANSIENT).toMillis();
      long longestHoldMillis =
          transientAttempts.values().stream()
              .mapToLong(a -> (a[1] - a[0]) / 1_000_000)
              .max()
              .orElse(0);
      long effectsBeforeReplay = p.count("SELECT COUNT(*) FROM effect");

      fixed = true; // the handlers are fixed; undecodable payloads stay undecodable
      ActionResult first;
      ActionResult second;
      try (DeadLetters ops =
          DeadLetters.builder()
              .store(store)
              .kafka(Map.copyOf(broker.clientProperties()))
              .replayRate(10_000)
              .build()) {
        DeadLetterQuery all =
            DeadLetterQuery.builder().topic(topic).limit(DeadLetterQuery.MAX_LIMIT).build();
        first = ops.replay(all, "reliability");
        p.awaitGroupCaughtUp(Duration.ofSeconds(60));
        second = ops.replay(all, "reliability");
        p.awaitGroupCaughtUp(Duration.ofSeconds(60));
      }
      Set<UUID> undecodable = byFate.getOrDefault(Fate.UNDECODABLE, Set.of());
      // every event but the undecodable ones has exactly one effect now
      DeliveryReport report = p.check(undecodable);
      // Without ordered mode a dead letter gives up its key's order (later records pass it and
      // its replay comes last, as documented): order is judged on the keys without poison.
      Set<String> poisonKeys =
          p.committedEvents().stream()
              .filter(o -> poison.contains(o.id()))
              .map(Observation::key)
              .collect(Collectors.toSet());
      DeliveryReport clean = p.check(undecodable, poisonKeys);
      new Figures("8 poison mix")
          .add("events appended", load.attempted())
          .add("poison rate per kind", "1 in " + ONE_IN)
          .add(
              "undecodable / permanent / always-transient",
              undecodable.size()
                  + " / "
                  + byFate.getOrDefault(Fate.PERMANENT, Set.of()).size()
                  + " / "
                  + byFate.getOrDefault(Fate.TRANSIENT, Set.of()).size())
          .add("dead letters (table / topic)", dead.size() + " / " + dlq.size())
          .add("retry budget ms", budgetMillis)
          .add("longest hold of a key by a poison record ms", longestHoldMillis)
          .add("effects before replay", effectsBeforeReplay)
          .add("replayed first / second time", first.records() + " / " + second.records())
          .add(
              "all events but the undecodable: lost / effective duplicates / log order violations",
              report.lost().size()
                  + " / "
                  + report.effectiveDuplicates()
                  + " / "
                  + report.logOrderViolations())
          .add(
              "keys with poison: effects applied out of order by the replay (by design without"
                  + " ordered mode)",
              report.effectOrderViolations() + " of " + poisonKeys.size())
          .add("checker on the keys without poison", "")
          .print(clean);
      assertThat(report.lost()).as(report.toString()).isEmpty();
      assertThat(report.abortedReads()).isEmpty();
      assertThat(report.unexpected()).isEmpty();
      assertThat(report.effectiveDuplicates()).as(report.toString()).isZero();
      assertThat(report.logOrderViolations()).as(report.toString()).isZero();
      assertThat(clean.ok()).as(clean.toString()).isTrue();
      assertThat(poison).isNotEmpty();
      assertThat(effectsBeforeReplay).isEqualTo(committed.size() - poison.size());
      assertThat(first.records()).isEqualTo(poison.size());
      // undecodable records fail again on replay and are dead-lettered again; nothing else is left
      assertThat(second.records()).isEqualTo(undecodable.size());
      // The longest hold is a wall-clock figure, reported above next to the budget and not
      // asserted: a loaded machine stretches it. What bounds it is asserted above: each transient
      // poison record was dead-lettered after exactly the policy's 3 attempts.
    }
  }

  private ListenerDefinition listener(Pipeline p) {
    return ListenerDefinition.builder()
        .topic(p.topic)
        .group(p.group)
        .ordering(Ordering.KEY)
        .payloadType(Item.class)
        .handler(
            d -> {
              UUID id = d.event().id();
              Fate f = fate(id);
              if (!fixed && f == Fate.PERMANENT) {
                throw new NonRetriableKeelException(FailureClass.BUSINESS, "account closed");
              }
              if (!fixed && f == Fate.TRANSIENT) {
                long now = System.nanoTime();
                transientAttempts.merge(
                    id, new long[] {now, now}, (a, b) -> new long[] {a[0], now});
                throw new RetriableKeelException("lock timeout, attempt " + d.attempt());
              }
              Item item = d.payload();
              assertThat(item).isNotNull();
              p.insertEffect(d);
            })
        .build();
  }

  private static Map<String, String> headers(
      org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> out = new java.util.HashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
