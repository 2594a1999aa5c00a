package dev.keel.consumer.tiers;

import dev.keel.consumer.internal.DueTimeGate;
import dev.keel.consumer.internal.KafkaClients;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelException;
import dev.keel.event.KeelMeters;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.internal.Values;
import dev.keel.retry.Failure;
import dev.keel.retry.FailureClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the delay tiers {@code <topic>.retry.<n>} of some source topics and runs the handler on
 * each record once it is due. A partition whose head record is not yet due is paused (and rewound
 * to that record) rather than slept on: the poll loop keeps polling every {@code pollTimeout}, so
 * it never exceeds {@code max.poll.interval.ms}, and other partitions keep flowing.
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
  private static final Logger log = LoggerFactory.getLogger(RetryTierConsumer.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
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

  private final Consumer<byte[], byte[]> consumer;
  private final DueTimeGate gate;
  private final List<String> topics;
  private final String group;
  private final String originalGroup;

  /** Told its original group: skips tier records another group moved there (see ofAnotherGroup). */
  private final boolean onlyOwnGroup;

  private final RetryTiers tiers;
  private final DeadLetterPublisher publisher;
  private final FailureClassifier classifier;
  private final Handler handler;
  private final Clock clock;
  private final Duration pollTimeout;
  private final Map<TopicPartition, Pending> pending = new HashMap<>(); // loop thread only
  private final AtomicLong polls = new AtomicLong();
  private final MeterRegistry registry;
  private final Counter retries;
  private volatile boolean running;
  private volatile boolean stopped;
  private Thread thread;

  /**
   * A failed record whose move to the next tier or the dead letters is being retried, with the
   * failure its handler had (the handler does not run again) and the backoff last waited.
   */
  private record Pending(long offset, FailedRecord record, Failure failure, Duration backoff) {}

  private RetryTierConsumer(Builder b) {
    this.group = b.group;
    this.originalGroup = b.originalGroup != null ? b.originalGroup : originalGroupOf(b.group);
    this.onlyOwnGroup = b.originalGroup != null;
    this.tiers = b.tiers;
    this.publisher = b.publisher;
    this.classifier = b.classifier;
    this.handler = b.handler;
    this.clock = b.clock;
    this.pollTimeout = b.pollTimeout;
    List<String> t = new ArrayList<>();
    for (String source : b.sourceTopics) {
      tiers.ensureTopics(source);
      for (int n = 1; n <= tiers.delays().size(); n++) {
        t.add(RetryTiers.tierTopic(source, n));
      }
    }
    this.topics = List.copyOf(t);
    Map<String, Object> p = new HashMap<>(b.kafka);
    p.putIfAbsent("auto.offset.reset", "earliest");
    this.registry = b.registry;
    this.retries =
        b.registry == null
            ? null
            : Counter.builder(KeelMeters.DLQ_TIER_DELIVERY_RETRIES)
                .description(
                    "Backoffs of a retry-tier consumer whose move of a failed record to the next"
                        + " tier or the dead letters failed for a reason that can pass")
                .baseUnit("retries")
                .tag("group", originalGroup)
                .register(b.registry);
    this.consumer = b.clients.consumer(p, group);
    this.gate = new DueTimeGate(consumer, tiers.delays(), clock);
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

  /** Starts the poll loop on a thread of its own. */
  public synchronized RetryTierConsumer start() {
    if (thread != null) {
      throw new IllegalStateException("RetryTierConsumer " + group + " already started");
    }
    running = true;
    thread = new Thread(this::loop, "keel-retry-tiers-" + group);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Polls done so far (for tests and health checks). */
  public long polls() {
    return polls.get();
  }

  /** Partitions currently paused until a record is due or a backoff has passed. */
  public int pausedPartitions() {
    return gate.pausedPartitions();
  }

  /**
   * Whether the poll loop runs: from {@link #start()} until {@link #close()}, or until it stopped
   * on a failure that cannot pass (logged at ERROR).
   */
  public boolean isRunning() {
    return running && !stopped;
  }

  /** The group whose failures this consumer records (see {@link Builder#originalGroup}). */
  public String originalGroup() {
    return originalGroup;
  }

  private void loop() {
    consumer.subscribe(
        topics,
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            gate.revoked(partitions);
            partitions.forEach(pending::remove); // the next owner runs the handler again
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
    try {
      while (running) {
        gate.resumeDue();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        polls.incrementAndGet();
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        try {
          handle(records, done);
        } finally {
          commit(done); // also what was done before a fatal failure
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("Retry tier consumer {} stopped: {}", group, e.toString());
    } finally {
      stopped = true;
      consumer.close(Duration.ofSeconds(5));
      if (retries != null) {
        registry.remove(retries);
      }
    }
  }

  private void handle(
      ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, OffsetAndMetadata> done) {
    for (TopicPartition tp : records.partitions()) {
      if (gate.held(tp)) {
        continue; // fetched before the pause; it will be read again after the rewind
      }
      gate.fetched(records.records(tp));
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        if (ofAnotherGroup(r)) {
          // every group of the source topic moves its failures to the same tiers: not ours
          gate.done(r);
          done.put(tp, new OffsetAndMetadata(r.offset() + 1));
          continue;
        }
        if (!gate.admit(r)) {
          break; // paused and rewound until it is due
        }
        Instant backOffUntil = process(tp, r);
        if (backOffUntil != null) {
          // moving it on failed (broker or database down): try again after the backoff,
          // without committing past it and without blocking the loop
          gate.holdUntil(r, backOffUntil);
          break;
        }
        gate.done(r);
        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
    }
  }

  /**
   * Whether the record failed in another group than this consumer's original group. Every group
   * that reads a source topic moves its failed records to the same tiers, {@code
   * <topic>.retry.<n>}; a tier consumer given its {@link Builder#originalGroup} (as the consumer
   * runtime gives it) handles the records its own group moved there, named by {@code
   * keel-dlq-group}, and skips the others, which another group's handler failed on. One whose
   * original group is only derived from its name handles every record, and so does any consumer for
   * a record without the header (written by hand). The header only selects records for this group's
   * handler, as a write to the source topic would; failures are still recorded for {@link
   * #originalGroup()}, never for the header's group.
   */
  private boolean ofAnotherGroup(ConsumerRecord<byte[], byte[]> r) {
    if (!onlyOwnGroup) {
      return false; // its original group was guessed from its name: skipping could lose retries
    }
    org.apache.kafka.common.header.Header h = r.headers().lastHeader(DeadLetterHeaders.GROUP);
    if (h == null || h.value() == null) {
      return false;
    }
    return !originalGroup.equals(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> done) {
    if (done.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(done);
    } catch (WakeupException e) {
      throw e;
    } catch (org.apache.kafka.common.KafkaException e) {
      // a rebalance or broker hiccup: the records come again (at-least-once), go on
      log.warn("Retry tier consumer {} could not commit: {}", group, e.getClass().getSimpleName());
    }
  }

  /**
   * Handles one record and moves it on when it fails; null when done, otherwise when to try moving
   * it on again. A record whose move is being retried is not handled again.
   */
  private Instant process(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
    Pending retry = pending.remove(tp);
    if (retry != null && retry.offset() != r.offset()) {
      retry = null; // the partition moved (a seek elsewhere): this is another record
    }
    FailedRecord record;
    Failure failure;
    if (retry != null) {
      record = retry.record();
      failure = retry.failure();
    } else {
      record = KafkaFailedRecords.of(r);
      try {
        handler.handle(record);
        return null;
      } catch (Exception e) {
        Instant now = clock.instant();
        FailureClass failureClass = classifier.classify(e);
        if (failureClass.defaultAction() == FailureAction.FAIL_FAST) {
          // Fatal: neither forwarded nor dead-lettered; the loop stops before committing it.
          throw e instanceof FatalKeelException
              ? (FatalKeelException) e
              : new FatalKeelException(
                  "Retry tier consumer " + group + ": " + record + " failed fatally", e);
        }
        failure = new Failure(originalGroup, failureClass, e, 1, now, now);
      }
    }
    String step = "forwarding";
    try {
      TierRoute route = tiers.route(record, failure);
      if (!route.forwarded()) {
        step = "dead-lettering";
        publisher.publish(route.original(), route.failure());
      }
      return null;
    } catch (RetriableKeelException e) {
      Duration backoff =
          retry == null
              ? FIRST_BACKOFF
              : retry.backoff().multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                  ? MAX_BACKOFF
                  : retry.backoff().multipliedBy(2);
      pending.put(tp, new Pending(r.offset(), record, failure, backoff));
      if (retries != null) {
        retries.increment();
      }
      log.warn(
          "Retry tier consumer {} (group {}): {} {}-{}@{} failed ({}); trying again in {}",
          group,
          Values.quote(originalGroup),
          step,
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage(),
          backoff);
      return clock.instant().plus(backoff);
    } catch (KeelException e) {
      // Cannot pass by retrying (refused as data even all-base64, or refused by Kafka): stop, as
      // the consumer runtime does, with the record uncommitted.
      throw new FatalKeelException(
          "Retry tier consumer "
              + group
              + ": "
              + step
              + " "
              + record
              + " failed for good: "
              + e.getMessage(),
          e);
    }
  }

  /** Stops polling, commits what was done, closes the consumer; waits up to 10 s. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t == null) {
      consumer.close(Duration.ofSeconds(5));
      if (retries != null) {
        registry.remove(retries);
      }
      return;
    }
    consumer.wakeup();
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
