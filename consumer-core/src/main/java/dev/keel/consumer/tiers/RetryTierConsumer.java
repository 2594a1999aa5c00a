package dev.keel.consumer.tiers;

import dev.keel.consumer.internal.KafkaClients;
import dev.keel.consumer.internal.TierLoop;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelMeters;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.support.Values;
import dev.keel.retry.FailureClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Consumes the delay tiers {@code <topic>.retry.<n>} of some source topics and runs the handler on
 * each record once it is due. It runs consumer-core's one poll loop (the consumer runtime's, with
 * its partition tracking and commits) with a due-time gate: a partition whose head record is not
 * yet due is paused (and rewound to that record) rather than slept on, so the loop keeps polling
 * every {@code pollTimeout}, never exceeds {@code max.poll.interval.ms}, and other partitions keep
 * flowing. The handler runs on the poll thread, one record at a time.
 *
 * <p>A record is due at the earlier of its timestamp plus its tier's delay and the moment this
 * consumer first saw it plus that delay, so a forged timestamp or {@code keel-dlq-due-at} header
 * cannot hold a partition longer than one tier delay. A failed attempt goes through {@link
 * RetryTiers#route}: on to the next tier, or to the {@link DeadLetterPublisher}.
 *
 * <p>Failures are recorded for the {@linkplain Builder#originalGroup original group} (the group the
 * record first failed in), not for this consumer's own group: a record dead-lettered after the last
 * tier is stored under the original group, and a record moved on keeps it in its {@code
 * keel-dlq-group} header. That header is never trusted for this: anyone who can write to a tier
 * topic can set it, so it could otherwise file a dead letter under (and block a key of) any group.
 *
 * <p>When moving a failed record on fails for a reason that can pass ({@link
 * RetriableKeelException}: the database or the broker unreachable, a serialization failure or
 * deadlock of the database), the record's partition is paused and the move (not the handler) is
 * tried again after a backoff that doubles from 100 ms up to 10 s; each backoff is logged at WARN
 * (group, topic, partition, offset; never the record's contents) and counted in {@value
 * KeelMeters#DLQ_TIER_DELIVERY_RETRIES}. The partition commits nothing past the record until it has
 * moved on, so nothing is lost. A failure that cannot pass (the database refusing the dead letter
 * as data even in its all-base64 form, Kafka refusing the record) stops this consumer like a fatal
 * handler failure, with the record uncommitted, as the consumer runtime stops on it.
 *
 * <p>Thread safety: {@link #start()} runs the loop on its own thread; {@link #close()} may be
 * called from any thread and waits for the loop to end (commits done work first).
 */
public final class RetryTierConsumer implements AutoCloseable {
  private static final String TIER_GROUP_SUFFIX = ".retry";

  /** The work done per due record. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Processes a record from a tier.
     *
     * @param record the record as consumed from the tier topic
     * @throws Exception any failure: the record moves on to the next tier or the dead letters,
     *     except a fatal one ({@link dev.keel.event.FatalKeelException} anywhere in the cause
     *     chain), which stops this consumer with the record uncommitted
     */
    void handle(FailedRecord record) throws Exception;
  }

  private final String originalGroup;
  private final TierLoop loop;

  private RetryTierConsumer(Builder b) {
    this.originalGroup = b.originalGroup != null ? b.originalGroup : originalGroupOf(b.group);
    List<String> topics = new ArrayList<>();
    for (String source : b.sourceTopics) {
      b.tiers.ensureTopics(source);
      for (int n = 1; n <= b.tiers.delays().size(); n++) {
        topics.add(RetryTiers.tierTopic(source, n));
      }
    }
    Handler handler = b.handler;
    this.loop =
        new TierLoop(
            new TierLoop.Spec(
                b.kafka,
                b.group,
                originalGroup,
                b.originalGroup != null, // told its original group: skips other groups' records
                List.copyOf(topics),
                b.tiers,
                b.publisher,
                b.classifier,
                handler::handle,
                b.clock,
                b.pollTimeout,
                b.registry,
                b.clients));
  }

  /**
   * The group a tier group named {@code <group>.retry} (as the consumer runtime names it) serves.
   */
  private static String originalGroupOf(String tierGroup) {
    return tierGroup.endsWith(TIER_GROUP_SUFFIX) && tierGroup.length() > TIER_GROUP_SUFFIX.length()
        ? tierGroup.substring(0, tierGroup.length() - TIER_GROUP_SUFFIX.length())
        : tierGroup;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the poll loop (consumer-core's one poll loop, with the due-time gate) on a thread of its
   * own.
   */
  public synchronized RetryTierConsumer start() {
    loop.start();
    return this;
  }

  /** Polls done so far (for tests and health checks). */
  public long polls() {
    return loop.polls();
  }

  /** Partitions currently paused until a record is due or a backoff has passed. */
  public int pausedPartitions() {
    return loop.pausedPartitions();
  }

  /**
   * Whether the poll loop runs: from {@link #start()} until {@link #close()}, or until it stopped
   * on a failure that cannot pass (logged at ERROR).
   */
  public boolean isRunning() {
    return loop.isRunning();
  }

  /** The group whose failures this consumer records (see {@link Builder#originalGroup}). */
  public String originalGroup() {
    return originalGroup;
  }

  /** Stops polling, commits what was done, closes the consumer; waits up to 20 s. */
  @Override
  public void close() {
    loop.close();
  }

  /** Builds a {@link RetryTierConsumer}. Not thread-safe. */
  public static final class Builder {
    private Map<String, Object> kafka;
    private String group;
    private String originalGroup;
    private MeterRegistry registry;
    private List<String> sourceTopics = List.of();
    private RetryTiers tiers;
    private DeadLetterPublisher publisher;
    private FailureClassifier classifier = FailureClassifier.defaults();
    private Handler handler;
    private Clock clock = Clock.systemUTC();
    private Duration pollTimeout = Duration.ofMillis(100);
    private KafkaClients clients = KafkaClients.REAL;

    private Builder() {}

    /** Where the consumer comes from: Kafka's {@code MockConsumer} in unit tests. */
    Builder clients(KafkaClients clients) {
      this.clients = Objects.requireNonNull(clients, "RetryTierConsumer.clients");
      return this;
    }

    /** Kafka client properties; required. */
    public Builder kafka(Map<String, Object> clientProperties) {
      this.kafka = clientProperties;
      return this;
    }

    /** The consumer group of the tier topics; required. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /**
     * The consumer group whose failed records the tiers hold: the group of the consumer that moved
     * them to tier 1. Records dead-lettered after the last tier are stored under it (where its
     * operators look for them) and records moved to the next tier keep it. By default {@link
     * #group} without its {@code .retry} suffix when it has one (the consumer runtime names its
     * tier consumers {@code <group>.retry}), otherwise {@link #group} itself.
     *
     * <p>Set explicitly, it also selects: the consumer then skips (and commits past) tier records
     * whose {@code keel-dlq-group} names another group, because every group that reads a topic
     * shares its tiers and each must retry only its own failures.
     */
    public Builder originalGroup(String originalGroup) {
      this.originalGroup = originalGroup;
      return this;
    }

    /**
     * Where to count backoffs ({@value KeelMeters#DLQ_TIER_DELIVERY_RETRIES}, tag {@code group}:
     * the original group); none by default. The counter is removed when the consumer stops.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The source topics whose tiers to consume; at least one. */
    public Builder sourceTopics(List<String> sourceTopics) {
      this.sourceTopics = List.copyOf(sourceTopics);
      return this;
    }

    /** The tiers (delays and forwarding); required. */
    public Builder tiers(RetryTiers tiers) {
      this.tiers = tiers;
      return this;
    }

    /** Where records go after the last tier; required. */
    public Builder publisher(DeadLetterPublisher publisher) {
      this.publisher = publisher;
      return this;
    }

    /** The classifier; defaults. */
    public Builder classifier(FailureClassifier classifier) {
      this.classifier = Objects.requireNonNull(classifier, "RetryTierConsumer.classifier");
      return this;
    }

    /** The handler; required. */
    public Builder handler(Handler handler) {
      this.handler = handler;
      return this;
    }

    /** The clock for due times; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "RetryTierConsumer.clock");
      return this;
    }

    /** How long one poll waits; 100 ms by default, 1 ms to 10 s. */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /** Validates and builds (does not start). */
    public RetryTierConsumer build() {
      if (kafka == null || !kafka.containsKey("bootstrap.servers")) {
        throw new KeelConfigurationException(
            "RetryTierConsumer.kafka must contain bootstrap.servers");
      }
      if (group == null || group.isBlank()) {
        throw new KeelConfigurationException("RetryTierConsumer.group is required");
      }
      if (originalGroup != null && (originalGroup.isBlank() || originalGroup.length() > 255)) {
        throw new KeelConfigurationException(
            "RetryTierConsumer.originalGroup must hold 1 to 255 characters, was "
                + Values.quote(originalGroup));
      }
      if (sourceTopics.isEmpty()) {
        throw new KeelConfigurationException(
            "RetryTierConsumer.sourceTopics must name at least one topic");
      }
      if (tiers == null || publisher == null || handler == null) {
        throw new KeelConfigurationException(
            "RetryTierConsumer.tiers, .publisher and .handler are required");
      }
      if (pollTimeout == null
          || pollTimeout.compareTo(Duration.ofMillis(1)) < 0
          || pollTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new KeelConfigurationException(
            "RetryTierConsumer.pollTimeout must be between 1 ms and 10 s, was " + pollTimeout);
      }
      return new RetryTierConsumer(this);
    }
  }
}
