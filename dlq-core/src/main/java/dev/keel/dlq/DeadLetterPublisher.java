package dev.keel.dlq;

import dev.keel.dlq.internal.DefaultDeadLetterPublisher;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.retry.Failure;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes failed records to {@code <topic>.dlq} and to the {@link DeadLetterStore}, and in ordered
 * mode parks the later records of a dead-lettered key.
 *
 * <p>A dead letter keeps the record's key, value bytes (after the {@link PayloadRedactor}) and
 * original headers, minus any inbound {@code keel-dlq-*} header, plus fresh {@link
 * DeadLetterHeaders}: a record dead-lettered again does not accumulate headers, and forged ones are
 * dropped. Stack traces are left out unless {@link Builder#includeStackTraces(boolean)}.
 *
 * <p><b>Topic creation.</b> By default a missing {@code <topic>.dlq} is created, on the first dead
 * letter of its source topic, with the source's partition count and the broker's defaults for the
 * rest (replication, retention), and logged at INFO ({@code Created topic orders.dlq with 3
 * partitions}). This needs the client's {@code CREATE} permission. Where topics are provisioned
 * apart (ACLs, infrastructure as code, {@code auto.create.topics.enable=false}), build the
 * publisher with {@link Builder#createTopics(boolean) createTopics(false)} and create each {@code
 * <topic>.dlq} beforehand with at least the source's partitions: a dead letter for a topic whose
 * {@code .dlq} is missing then fails with a {@link dev.keel.event.RetriableKeelException} that
 * names the topic and the partitions it needs, and nothing is stored; the same publisher goes on
 * once the topic exists.
 *
 * <pre>{@code
 * DeadLetterPublisher publisher = DeadLetterPublisher.builder()
 *     .kafka(Map.of("bootstrap.servers", bootstrap))
 *     .store(store)
 *     .orderedMode(true)
 *     .build();
 * // per record, before the handler:
 * if (publisher.parkIfBlocked(group, record)) { commitOffset(); continue; }
 * // when the retry policy gives up:
 * publisher.publish(record, outcome.toFailure(group));
 * }</pre>
 *
 * <p>Guarantee: when {@link #publish} returns, Kafka acknowledged the dead letter and the table
 * holds it (exactly one row per group and source record, however often it is called); the caller
 * then commits the source offset. The row is written before the copy is sent, and a publish sends
 * only while the row has no recorded copy. When it throws with a {@link
 * dev.keel.event.RetriableKeelException}, the caller retries: the topic then holds the dead letter
 * once, or twice (same event id) only when a send succeeded and recording it failed; the table
 * still once. Any key, header and payload bytes can be stored: what a text column cannot hold is
 * stored as base64 and given back exactly (see the module README).
 *
 * <p>Thread-safe. {@link #close()} closes the Kafka clients it owns, not the store.
 */
public interface DeadLetterPublisher extends AutoCloseable {

  /** The suffix of dead-letter topics. */
  String DLQ_SUFFIX = ".dlq";

  /** A new builder. */
  static Builder builder() {
    return new DefaultDeadLetterPublisher.Builder();
  }

  /**
   * Dead-letters a record: publishes it to {@code <topic>.dlq}, stores it, and in ordered mode
   * blocks its key so that later records of the key are parked.
   *
   * @param record the failed record, raw
   * @param failure why, after how many attempts
   * @return the stored dead letter
   * @throws dev.keel.event.RetriableKeelException when Kafka or the database is unavailable
   */
  DeadLetter publish(FailedRecord record, Failure failure);

  /**
   * In ordered mode: when the record's key is blocked (an earlier record of the key was
   * dead-lettered and not yet replayed or discarded), stores the record as parked and returns true;
   * the caller skips it and commits its offset. Otherwise returns false and the caller processes
   * it. Unkeyed records are never parked. Always false when ordered mode is off.
   *
   * <p>A record that a replay sent while releasing its key ({@link DeadLetterHeaders#RELEASE} with
   * the key's current release token) is not parked: it is the key's next record in order. Should a
   * new dead letter of the key have stopped that release, it is parked again in the place it was
   * sent from, ahead of the records parked meanwhile.
   *
   * @param group the consumer group
   * @param record the record about to be processed
   * @throws dev.keel.event.RetriableKeelException when the database is unavailable
   */
  boolean parkIfBlocked(String group, FailedRecord record);

  /**
   * Whether this publisher runs in ordered mode (blocks a dead-lettered key and parks its later
   * records). Callers check {@link #parkIfBlocked} before each record only when it does.
   */
  default boolean orderedMode() {
    return false;
  }

  /**
   * The dead-letter topic of a source topic.
   *
   * @param sourceTopic the source topic
   */
  static String dlqTopic(String sourceTopic) {
    return sourceTopic + DLQ_SUFFIX;
  }

  /** Closes the Kafka producer and admin client. */
  @Override
  void close();

  /** Builds a {@link DeadLetterPublisher}. Not thread-safe. */
  interface Builder {
    /**
     * The shared database: a store on its data source, dialect and table names (install its tables
     * with {@link KeelDatabase#install(String...)}, {@code "dlq"}, or a component's schema policy).
     */
    default Builder database(KeelDatabase database) {
      return store(DeadLetterStore.builder().database(database).build());
    }

    /** The shared Kafka cluster. */
    default Builder kafka(KeelKafka kafka) {
      return kafka(new HashMap<>(kafka.clientProperties("dlq")));
    }

    /** Kafka client properties ({@code bootstrap.servers}, security); required. */
    Builder kafka(Map<String, Object> clientProperties);

    /** The store every dead letter is recorded in; required. */
    Builder store(DeadLetterStore store);

    /** Parks later records of a dead-lettered key until an operator resolves it. Off by default. */
    Builder orderedMode(boolean orderedMode);

    /** Adds stack traces to dead letters (header and table). Off by default. */
    Builder includeStackTraces(boolean includeStackTraces);

    /** Sees payloads before they leave; {@link PayloadRedactor#NONE} by default. */
    Builder redactor(PayloadRedactor redactor);

    /**
     * Creates missing dead-letter topics ({@code <topic>.dlq}) with the source topic's partition
     * count, which needs the client's {@code CREATE} permission. <b>On by default.</b> Off (for
     * clusters where topics are provisioned apart), nothing is created: a missing dead-letter topic
     * fails {@link DeadLetterPublisher#publish} with a {@link
     * dev.keel.event.RetriableKeelException} naming the topic and the partition count to create it
     * with, before anything is stored, until someone creates it. An existing topic with fewer
     * partitions than the source is only warned about, either way.
     */
    Builder createTopics(boolean createTopics);

    /** How long to wait for Kafka; 30 s by default, 1 s to 10 min. */
    Builder timeout(Duration timeout);

    /** Adds a listener (metrics, alerts). */
    Builder listener(DeadLetterListener listener);

    /** The clock for dead-letter times; UTC system clock by default. */
    Builder clock(Clock clock);

    /** Validates and builds; creates the Kafka producer. */
    DeadLetterPublisher build();
  }
}
