package dev.keel.consumer.internal;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.event.KeelMeters;
import dev.keel.retry.FailureClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A {@link PollLoop} over delay-tier topics with the {@link DueTimeGate}: the engine of {@code
 * dev.keel.consumer.tiers.RetryTierConsumer}. Commits after every turn of the loop.
 *
 * <p>Internal. {@link #start} runs the loop on its own thread; {@link #close} may be called from
 * any thread and waits for the loop to end.
 */
public final class TierLoop implements AutoCloseable {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** The work done per due record. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Processes a record from a tier.
     *
     * @param record the record as consumed from the tier topic
     * @throws Exception any failure
     */
    void handle(FailedRecord record) throws Exception;
  }

  /**
   * What the loop consumes and how it moves failed records on (validated by the caller).
   *
   * @param kafka the consumer properties
   * @param group the consumer group of the tier topics
   * @param originalGroup the group failures are recorded for
   * @param onlyOwnGroup whether records another group moved to the tiers are skipped
   * @param topics the tier topics
   * @param tiers the tiers (delays, forwarding)
   * @param publisher where records go after the last tier
   * @param classifier the classifier of handler failures
   * @param handler the handler
   * @param clock the clock of due times
   * @param pollTimeout how long one poll waits
   * @param registry where backoffs are counted, or null
   * @param clients where the consumer comes from
   */
  public record Spec(
      Map<String, Object> kafka,
      String group,
      String originalGroup,
      boolean onlyOwnGroup,
      List<String> topics,
      RetryTiers tiers,
      DeadLetterPublisher publisher,
      FailureClassifier classifier,
      Handler handler,
      Clock clock,
      Duration pollTimeout,
      MeterRegistry registry,
      KafkaClients clients) {}

  private final String group;
  private final Consumer<byte[], byte[]> consumer;
  private final DueTimeGate gate;
  private final PollLoop loop;
  private final MeterRegistry registry;
  private final Counter retries;
  private volatile boolean started;
  private volatile boolean stopped;
  private Thread thread;

  /** Creates the consumer and the loop; does not start. */
  public TierLoop(Spec spec) {
    this.group = spec.group();
    Map<String, Object> p = new HashMap<>(spec.kafka());
    p.putIfAbsent("auto.offset.reset", "earliest");
    this.consumer = spec.clients().consumer(p, spec.group());
    this.gate = new DueTimeGate(consumer, spec.tiers().delays(), spec.clock());
    this.registry = spec.registry();
    this.retries =
        registry == null
            ? null
            : Counter.builder(KeelMeters.DLQ_TIER_DELIVERY_RETRIES)
                .description(
                    "Backoffs of a retry-tier consumer whose move of a failed record to the next"
                        + " tier or the dead letters failed for a reason that can pass")
                .baseUnit("retries")
                .tag("group", spec.originalGroup())
                .register(registry);
    this.loop =
        new PollLoop(
            new PollLoop.Settings(
                spec.group(),
                spec.topics(),
                Integer.MAX_VALUE, // records are handled on the poll thread: none in flight
                spec.pollTimeout(),
                Duration.ZERO,
                CLOSE_TIMEOUT),
            consumer,
            new TierHandling(spec, gate, retries),
            new AtomicLong(),
            e -> stopped = true);
  }

  /** Starts the loop on a daemon thread named after the group. */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("RetryTierConsumer " + group + " already started");
    }
    started = true;
    thread =
        new Thread(
            () -> {
              try {
                loop.run();
              } finally {
                stopped = true;
                removeCounter();
              }
            },
            "keel-retry-tiers-" + group);
    thread.setDaemon(true);
    thread.start();
  }

  /** Polls done so far. */
  public long polls() {
    return loop.polls();
  }

  /** Partitions held until a record is due or a backoff has passed. */
  public int pausedPartitions() {
    return gate.pausedPartitions();
  }

  /** Whether the loop runs: started, and neither closed nor stopped on a failure. */
  public boolean isRunning() {
    return started && !stopped;
  }

  /** Stops polling, commits what was done, closes the consumer; waits up to 10 s. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
      started = true; // a closed loop cannot be started
    }
    if (t == null) {
      stopped = true;
      consumer.close(Duration.ofSeconds(5));
      removeCounter();
      return;
    }
    loop.stop();
    try {
      t.join(CLOSE_TIMEOUT.plusSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void removeCounter() {
    if (retries != null) {
      registry.remove(retries);
    }
  }
}
