package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Ordering;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poll loop's partition tracking against Kafka's {@code MockConsumer}, without a broker:
 * offsets are committed only up to the lowest unfinished record, partitions pause at the in-flight
 * bound and resume at half of it, and a revoked partition waits for its records being handled and
 * commits what they finished.
 */
class PollLoopTest {
  private static final String TOPIC = "orders";
  private static final TopicPartition TP0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition TP1 = new TopicPartition(TOPIC, 1);

  /** The offsets the loop committed, read without taking the consumer's lock. */
  private final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();

  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>("earliest") {
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
  private final LinkedBlockingQueue<Work> handed = new LinkedBlockingQueue<>();
  private final List<Work> taken = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private PollLoop loop;
  private Thread thread;

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      handed.forEach(Work::skip);
      taken.forEach(Work::skip); // no-op for the finished ones
      loop.stop();
      thread.join(10_000);
    }
    pool.shutdownNow();
    assertThat(fatal.get()).isNull();
  }

  private void start(int maxInFlight, TopicPartition... assigned) {
    PollLoop.Settings settings =
        new PollLoop.Settings(
            "billing",
            List.of(TOPIC),
            maxInFlight,
            Duration.ofMillis(1),
            Duration.ZERO, // commit on every turn of the loop
            Duration.ofSeconds(10));
    LaneExecutor lanes = new LaneExecutor(pool, 100, handed::addAll); // finished by the test
    loop =
        new PollLoop(
            settings,
            consumer,
            new PollLoop.Lanes(lanes, Ordering.PARTITION),
            new AtomicLong(),
            fatal::set);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(assigned));
          Map<TopicPartition, Long> beginning = new java.util.HashMap<>();
          for (TopicPartition tp : assigned) {
            beginning.put(tp, 0L);
          }
          consumer.updateBeginningOffsets(beginning);
        });
    thread = new Thread(loop, "poll-loop-test");
    thread.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> assignment().size() == assigned.length);
  }

  private Set<TopicPartition> assignment() {
    return consumer.assignment();
  }

  /**
   * Adds {@code count} records at once: {@code MockConsumer}'s methods synchronize on the consumer,
   * so holding its monitor keeps the loop's {@code poll} from returning part of them (a poll
   * between two additions would pause the partition at the bound before the rest were handed).
   */
  private void send(TopicPartition tp, int count) {
    synchronized (consumer) {
      for (int i = 0; i < count; i++) {
        consumer.addRecord(
            new ConsumerRecord<>(tp.topic(), tp.partition(), i, new byte[] {1}, new byte[] {2}));
      }
    }
  }

  private List<Work> take(int n) throws InterruptedException {
    List<Work> works = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Work w = handed.poll(10, TimeUnit.SECONDS);
      assertThat(w).as("record %d handed to a worker", i).isNotNull();
      works.add(w);
      taken.add(w);
    }
    return works;
  }

  private long committed(TopicPartition tp) {
    return commits.getOrDefault(tp, -1L);
  }

  @Test
  void commitsOnlyUpToTheLowestUnfinishedRecord() throws InterruptedException {
    start(100, TP0);
    send(TP0, 5);
    List<Work> works = take(5);

    works.get(0).finish();
    works.get(1).finish();
    works.get(3).finish();
    works.get(4).finish();

    await().atMost(Duration.ofSeconds(10)).until(() -> committed(TP0) == 2);
    // offsets 3 and 4 are done, but 2 is not: nothing past it is committed
    assertThat(committed(TP0)).isEqualTo(2);

    works.get(2).finish();

    await().atMost(Duration.ofSeconds(10)).until(() -> committed(TP0) == 5);
  }

  @Test
  void aSkippedRecordStaysUncommittedAndClosesItsPartition() throws InterruptedException {
    start(100, TP0);
    send(TP0, 3);
    List<Work> works = take(3);

    works.get(0).finish();
    works.get(1).skip(); // abandoned: left for the partition's next owner
    works.get(2).finish();

    await().atMost(Duration.ofSeconds(10)).until(() -> committed(TP0) == 1);
    assertThat(works.get(2).abandoned()).isTrue();
    assertThat(committed(TP0)).isEqualTo(1);
  }

  @Test
  void pausesAtTheInFlightBoundAndResumesAtHalfOfIt() throws InterruptedException {
    start(4, TP0, TP1);
    send(TP0, 6);
    List<Work> works = take(6);

    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.paused().contains(TP0));
    assertThat(consumer.paused()).doesNotContain(TP1); // other partitions keep flowing
    send(TP1, 1);
    take(1).get(0).finish();

    for (int i = 0; i < 3; i++) {
      works.get(i).finish(); // 3 left unfinished: still above half the bound
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(TP0) == 3);
    assertThat(consumer.paused()).contains(TP0);

    works.get(3).finish(); // 2 left: at half the bound

    await().atMost(Duration.ofSeconds(10)).until(() -> !consumer.paused().contains(TP0));
  }

  @Test
  void aRevokedPartitionWaitsForItsRecordsBeingHandledAndCommitsWhatTheyFinished()
      throws InterruptedException {
    start(100, TP0, TP1);
    send(TP0, 2);
    List<Work> works = take(2);
    works.get(0).finish();
    AtomicReference<Boolean> revoked = new AtomicReference<>(false);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(TP1)); // blocks until the record of TP0 in hand is done
          revoked.set(true);
        });

    await().atMost(Duration.ofSeconds(10)).until(works.get(1)::abandoned);
    assertThat(revoked.get()).isFalse(); // still waiting for the record being handled

    works.get(1).finish();

    await().atMost(Duration.ofSeconds(10)).until(revoked::get);
    assertThat(committed(TP0)).isEqualTo(2);
    assertThat(assignment()).containsExactly(TP1);
  }
}
