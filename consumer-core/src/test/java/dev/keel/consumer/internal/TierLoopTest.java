package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelMeters;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.Failure;
import dev.keel.retry.FailureClassifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delay-tier consumption in the poll loop, against Kafka's {@code MockConsumer} and a clock the
 * test moves: a record is handled only once due and committed after, other groups' records are
 * committed past unhandled, a failed move backs off without running the handler again, and a fatal
 * failure stops the loop with the record uncommitted.
 */
class TierLoopTest {
  private static final TopicPartition TIER1 = new TopicPartition("orders.retry.1", 0);
  private static final Duration DELAY = Duration.ofSeconds(30);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();
  private final List<ConsumerRecord<byte[], byte[]>> sent = new CopyOnWriteArrayList<>();
  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>("earliest") {
        /** As a real consumer, fetches again from the new position (MockConsumer forgets them). */
        @Override
        public synchronized void seek(TopicPartition tp, long offset) {
          super.seek(tp, offset);
          for (ConsumerRecord<byte[], byte[]> r : sent) {
            if (r.partition() == tp.partition() && r.offset() >= offset) {
              addRecord(r);
            }
          }
        }

        @Override
        public synchronized void commitSync(
            Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
          offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
          super.commitSync(offsets, timeout);
        }

        @Override
        public synchronized void commitAsync(
            Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
          offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
          super.commitAsync(offsets, callback);
        }
      };
  private final List<Long> handled = new CopyOnWriteArrayList<>();
  private final List<Failure> routed = new CopyOnWriteArrayList<>();
  private final AtomicInteger routeFailures = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TierLoop loop;

  @AfterEach
  void close() {
    if (loop != null) {
      loop.close();
    }
  }

  private void start(TierLoop.Handler handler) {
    loop =
        new TierLoop(
            new TierLoop.Spec(
                Map.of("bootstrap.servers", "localhost:1"),
                "billing.retry",
                "billing",
                true,
                List.of(TIER1.topic()),
                new StubTiers(),
                new StubPublisher(),
                FailureClassifier.defaults(),
                handler,
                clock,
                Duration.ofMillis(1),
                registry,
                KafkaClients.using(p -> consumer)));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(TIER1));
          consumer.updateBeginningOffsets(Map.of(TIER1, 0L));
        });
    loop.start();
  }

  private void send(long offset, String group, Instant written) {
    RecordHeaders headers = new RecordHeaders();
    if (group != null) {
      headers.add(DeadLetterHeaders.GROUP, group.getBytes(StandardCharsets.UTF_8));
    }
    ConsumerRecord<byte[], byte[]> r =
        new ConsumerRecord<>(
            TIER1.topic(),
            0,
            offset,
            written.toEpochMilli(),
            TimestampType.CREATE_TIME,
            0,
            0,
            new byte[] {1},
            new byte[] {2},
            headers,
            Optional.empty());
    consumer.schedulePollTask(
        () -> {
          sent.add(r);
          consumer.addRecord(r);
        });
  }

  @Test
  void aRecordIsHandledOnlyOnceDueThenCommitted() {
    start(r -> handled.add(r.offset()));
    send(0, "billing", clock.instant());

    await().atMost(Duration.ofSeconds(10)).until(() -> loop.pausedPartitions() == 1);
    long polls = loop.polls();
    await().atMost(Duration.ofSeconds(10)).until(() -> loop.polls() >= polls + 5);
    assertThat(handled).isEmpty(); // the loop kept polling, the record waited
    assertThat(commits).doesNotContainKey(TIER1);

    clock.advance(DELAY);

    await().atMost(Duration.ofSeconds(10)).until(() -> commits.getOrDefault(TIER1, -1L) == 1L);
    assertThat(handled).containsExactly(0L);
    assertThat(loop.pausedPartitions()).isZero();
  }

  @Test
  void anotherGroupsRecordIsCommittedPastWithoutRunningTheHandler() {
    start(r -> handled.add(r.offset()));
    send(0, "shipping", clock.instant().minus(DELAY)); // due at once
    send(1, "billing", clock.instant().minus(DELAY));

    await().atMost(Duration.ofSeconds(10)).until(() -> commits.getOrDefault(TIER1, -1L) == 2L);
    assertThat(handled).containsExactly(1L);
  }

  @Test
  void aFailedMoveBacksOffAndIsRetriedWithoutRunningTheHandlerAgain() {
    routeFailures.set(1);
    start(
        r -> {
          handled.add(r.offset());
          throw new IllegalStateException("handler failed");
        });
    send(0, "billing", clock.instant());
    await().atMost(Duration.ofSeconds(10)).until(() -> loop.pausedPartitions() == 1);
    clock.advance(DELAY);

    // the move failed once: held for the 100 ms backoff, nothing committed
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> routeFailures.get() == 0 && loop.pausedPartitions() == 1);
    assertThat(commits).doesNotContainKey(TIER1);
    assertThat(registry.counter(KeelMeters.DLQ_TIER_DELIVERY_RETRIES, "group", "billing").count())
        .isEqualTo(1.0);

    clock.advance(Duration.ofMillis(100));

    await().atMost(Duration.ofSeconds(10)).until(() -> commits.getOrDefault(TIER1, -1L) == 1L);
    assertThat(handled).containsExactly(0L); // once: only the move was retried
    assertThat(routed).singleElement().satisfies(f -> assertThat(f.group()).isEqualTo("billing"));
  }

  @Test
  void aFatalFailureStopsTheLoopWithTheRecordUncommitted() {
    start(
        r -> {
          throw new FatalKeelException("stop");
        });
    send(0, "billing", clock.instant().minus(DELAY));

    await().atMost(Duration.ofSeconds(10)).until(() -> !loop.isRunning());
    assertThat(commits).doesNotContainKey(TIER1);
    assertThat(registry.find(KeelMeters.DLQ_TIER_DELIVERY_RETRIES).counter()).isNull();
  }

  /** Tiers of one delay whose moves fail while {@code routeFailures} is positive. */
  private final class StubTiers implements RetryTiers {
    @Override
    public List<Duration> delays() {
      return List.of(DELAY);
    }

    @Override
    public String sourceOf(String topic) {
      return "orders";
    }

    @Override
    public TierRoute route(FailedRecord record, Failure failure) {
      if (routeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new RetriableKeelException("broker unreachable");
      }
      routed.add(failure);
      return new TierRoute(false, null, 0, record, failure);
    }

    @Override
    public void ensureTopics(String sourceTopic) {}

    @Override
    public void close() {}
  }

  /** Dead letters that land at once. */
  private static final class StubPublisher implements DeadLetterPublisher {
    @Override
    public DeadLetter publish(FailedRecord record, Failure failure) {
      return null;
    }

    @Override
    public boolean parkIfBlocked(String group, FailedRecord record) {
      return false;
    }

    @Override
    public void close() {}
  }

  /** A clock the test moves; read by the poll thread. */
  private static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
