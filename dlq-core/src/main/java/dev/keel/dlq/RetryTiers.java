package dev.keel.dlq;

import dev.keel.dlq.internal.DefaultRetryTiers;
import dev.keel.retry.Failure;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Non-blocking retry through delay tiers: a record that fails on {@code <topic>} is forwarded to
 * {@code <topic>.retry.1}, then {@code <topic>.retry.2}..., each tier with its own delay, and
 * dead-lettered after the last tier. The source partition moves on at once, so <b>this style does
 * not keep order</b>: later records of the same key overtake the one being retried. Use {@link
 * InPlaceRetry} (blocking) where order matters.
 *
 * <p>Tiers are consumed by consumer-core's {@code dev.keel.consumer.tiers.RetryTierConsumer}, which
 * pauses a partition until its head record is due instead of sleeping, so its poll loop never
 * exceeds {@code max.poll.interval.ms}.
 *
 * <p>Attempts are counted from the tier topic the record was consumed from (tier {@code n} means
 * {@code n} attempts have failed), never from a header, and the due time of a record is bounded by
 * its tier's delay from when the tier consumer first saw it: forged {@code keel-dlq-*} headers or
 * timestamps can neither add attempts nor stall a partition.
 *
 * <pre>{@code
 * RetryTiers tiers = RetryTiers.builder()
 *     .kafka(props)
 *     .delays(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10))
 *     .build();
 * TierRoute r = tiers.route(record, failure);  // after a failed attempt
 * if (!r.forwarded()) publisher.publish(r.original(), r.failure());
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} closes the producer.
 */
public interface RetryTiers extends AutoCloseable {

  /** The infix of tier topics: {@code <topic>.retry.<n>}. */
  String RETRY_INFIX = ".retry.";

  /** A new builder. */
  static Builder builder() {
    return new DefaultRetryTiers.Builder();
  }

  /** The tier delays, tier 1 first. */
  List<Duration> delays();

  /**
   * The tier topic of a source topic.
   *
   * @param sourceTopic the source topic
   * @param tier from 1 to the number of tiers
   */
  static String tierTopic(String sourceTopic, int tier) {
    return sourceTopic + RETRY_INFIX + tier;
  }

  /**
   * The tier number of a topic name, if it is {@code <base>.retry.<n>} with {@code n} from 1 to
   * {@code maxTier}.
   *
   * @param topic a topic name
   * @param maxTier the highest tier
   */
  static Optional<Integer> tierOf(String topic, int maxTier) {
    int at = topic.lastIndexOf(RETRY_INFIX);
    if (at <= 0) {
      return Optional.empty();
    }
    String n = topic.substring(at + RETRY_INFIX.length());
    if (n.isEmpty() || n.length() > 3 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    int tier = Integer.parseInt(n);
    return tier >= 1 && tier <= maxTier ? Optional.of(tier) : Optional.empty();
  }

  /**
   * The source topic of a tier topic, or the topic itself.
   *
   * @param topic a source or tier topic
   */
  String sourceOf(String topic);

  /**
   * After a failed attempt on a source or tier record: forwards it to the next tier when its class
   * is retried and tiers remain, otherwise returns it to be dead-lettered.
   *
   * @param record the record that failed, as consumed
   * @param failure why; its attempt count is replaced by the one the tier implies. Its group is
   *     written to the next tier's {@code keel-dlq-group} header and is the group of the returned
   *     failure: give the group the record first failed in (as consumer-core's {@code
   *     RetryTierConsumer} does), not a tier consumer's own group
   * @throws dev.keel.event.RetriableKeelException when Kafka is unavailable
   */
  TierRoute route(FailedRecord record, Failure failure);

  /**
   * Creates the tier topics of a source topic that are missing (when topic creation is on), with
   * the source's partition count.
   *
   * @param sourceTopic the source topic
   */
  void ensureTopics(String sourceTopic);

  /** Closes the producer. */
  @Override
  void close();

  /** Builds {@link RetryTiers}. Not thread-safe. */
  interface Builder {
    /** Kafka client properties; required. */
    Builder kafka(Map<String, Object> clientProperties);

    /** The tier delays, 1 to 20 of them, each from 1 ms to 1 day. Required. */
    Builder delays(Duration... delays);

    /**
     * The policy whose per-class actions decide what is retried (non-{@code RETRY} classes go
     * straight to the dead letters) and whose {@code maxAttempts} caps the tiers used. Default
     * {@link RetryPolicy#defaults()} with attempts unlimited by it: tiers = delays.
     */
    Builder policy(RetryPolicy policy);

    /** Creates missing tier topics with the source's partition count. On by default. */
    Builder createTopics(boolean createTopics);

    /** The clock for due times; UTC system clock by default. */
    Builder clock(Clock clock);

    /** How long to wait for Kafka; 30 s by default. */
    Builder timeout(Duration timeout);

    /** Validates and builds. */
    RetryTiers build();
  }
}
