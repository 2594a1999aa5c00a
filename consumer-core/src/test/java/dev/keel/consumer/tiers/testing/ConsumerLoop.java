package dev.keel.consumer.tiers.testing;

import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * What the consumer runtime does with dlq-core, reduced to a loop the test thread drives: poll; per
 * record, park if its key is blocked, else handle with in-place retry and dead-letter when the
 * policy gives up; commit offsets.
 */
public final class ConsumerLoop implements AutoCloseable {
  /** The handler under test. */
  @FunctionalInterface
  public interface Handler {
    void handle(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String group;
  private final InPlaceRetry retry;
  private final DeadLetterPublisher publisher;
  private final Handler handler;
  private final AtomicInteger seen = new AtomicInteger();
  private final AtomicInteger parked = new AtomicInteger();
  private final AtomicInteger deadLettered = new AtomicInteger();

  public ConsumerLoop(
      KafkaIo kafka,
      String group,
      List<String> topics,
      InPlaceRetry retry,
      DeadLetterPublisher publisher,
      Handler handler) {
    this.consumer = kafka.consumer(group);
    this.group = group;
    this.retry = retry;
    this.publisher = publisher;
    this.handler = handler;
    consumer.subscribe(topics);
  }

  /** Polls until at least {@code total} records were seen since this loop started. */
  public void runUntilSeen(int total) {
    await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> pollOnce() >= total);
  }

  private int pollOnce() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      FailedRecord raw = KafkaFailedRecords.of(r);
      seen.incrementAndGet();
      if (publisher.parkIfBlocked(group, raw)) {
        parked.incrementAndGet();
        continue;
      }
      RetryOutcome<Void> outcome = retry.run(() -> handler.handle(r));
      if (!outcome.succeeded()) {
        publisher.publish(raw, outcome.toFailure(group));
        deadLettered.incrementAndGet();
      }
    }
    consumer.commitSync();
    return seen.get();
  }

  public int parked() {
    return parked.get();
  }

  public int deadLettered() {
    return deadLettered.get();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
