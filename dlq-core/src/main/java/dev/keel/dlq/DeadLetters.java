package dev.keel.dlq;

import dev.keel.dlq.internal.DefaultDeadLetters;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.dlq.spi.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's view of dead letters: list, show, replay, discard. Every replay and discard is
 * written to the audit table with who, when, what and how many.
 *
 * <p>Replay re-publishes a dead letter with its original key, payload and headers (so the same
 * {@code keel-event-id}) to its original topic, or to a target named in {@link
 * Builder#allowedTargets}; it is paced to {@link Builder#replayRate} records per second, marks the
 * dead letter {@code REPLAYED}, and then releases the records parked behind its key (ordered mode)
 * in their original order. Replaying again selects nothing: only {@code DEAD} dead letters are
 * replayed, each under a row lock, so two operators replaying at once publish each record once.
 * Consumers that deduplicate by event id see one effect even if a replay is cut off and repeated.
 *
 * <p>A dead letter whose key {@link dev.keel.dlq.spi.PayloadRedactor#redactKey} changed is never
 * replayed: published under the redacted key it would land on another partition than its key's
 * other records. Replay leaves it {@code DEAD} (its key stays blocked in ordered mode) and lists it
 * in {@link ActionResult#refused()}; discard works as for any dead letter.
 *
 * <pre>{@code
 * DeadLetters ops = DeadLetters.builder().store(store).kafka(props).build();
 * ops.list(DeadLetterQuery.builder().topic("orders").build());
 * ops.replay(DeadLetterQuery.builder().topic("orders").key("order-42").build(), "alice");
 * ops.discard(DeadLetterQuery.byId(17), "alice");
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} closes the Kafka producer it owns (if a replay created one), not
 * the store.
 */
public interface DeadLetters extends AutoCloseable {

  /** A new builder. */
  static Builder builder() {
    return new DefaultDeadLetters.Builder();
  }

  /**
   * Dead letters matching a query, oldest first.
   *
   * @param query the filter
   */
  List<DeadLetter> list(DeadLetterQuery query);

  /**
   * One dead letter with its payload and headers.
   *
   * @param id its id
   */
  Optional<DeadLetter> show(long id);

  /**
   * Records parked behind a key.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key
   */
  List<ParkedRecord> parked(String group, String topic, String key);

  /**
   * Replays the {@code DEAD} dead letters matching the query to their original topics, then
   * releases the parked records of their keys in order.
   *
   * <p>Every matching dead letter is replayed, page by page, unless the selection has an explicit
   * {@link DeadLetterQuery.Builder#limit}. When a send fails, the keys committed before it stay
   * {@code REPLAYED}, the audit row records them with a {@code failed: ...} outcome, and the error
   * is thrown; replaying again picks up the rest. Dead letters whose key was redacted are refused,
   * each with the reason in {@link ActionResult#refused()}, and stay {@code DEAD}.
   *
   * @param selection which dead letters (its status filter is replaced by {@code DEAD})
   * @param actor who asks, for the audit trail
   * @return what was replayed and released
   */
  ActionResult replay(DeadLetterQuery selection, String actor);

  /**
   * Replays to a target topic instead of the original one; parked records of the keys follow to the
   * same target.
   *
   * @param selection which dead letters
   * @param actor who asks
   * @param targetTopic a topic from {@link Builder#allowedTargets}
   * @throws dev.keel.event.KeelConfigurationException when the target is not allowed
   */
  ActionResult replay(DeadLetterQuery selection, String actor, String targetTopic);

  /**
   * Marks the {@code DEAD} dead letters matching the query {@code DISCARDED} and removes the
   * records parked behind their keys (which unblocks the keys). Every match, page by page, unless
   * the selection has an explicit limit; audited like {@link #replay} when it fails part way.
   *
   * @param selection which dead letters
   * @param actor who asks
   */
  ActionResult discard(DeadLetterQuery selection, String actor);

  /**
   * The latest operator actions, newest first.
   *
   * @param limit at most this many
   */
  List<AuditEntry> audit(int limit);

  /** Closes the Kafka producer. */
  @Override
  void close();

  /** Builds {@link DeadLetters}. Not thread-safe. */
  interface Builder {
    /** The store; required. */
    Builder store(DeadLetterStore store);

    /**
     * Kafka client properties for replay ({@code bootstrap.servers}, security); required to replay,
     * not to list, show or discard. The producer is created on the first replay.
     */
    Builder kafka(Map<String, Object> clientProperties);

    /** Topics a replay may target besides each dead letter's original topic. None by default. */
    Builder allowedTargets(Set<String> topics);

    /** Replayed (and released) records per second, 0.1 to 100,000; 50 by default. */
    Builder replayRate(double recordsPerSecond);

    /** How to wait between replayed records; {@link Sleeper#system()} by default. */
    Builder sleeper(Sleeper sleeper);

    /** The clock for pacing and audit times; UTC system clock by default. */
    Builder clock(Clock clock);

    /**
     * The identity the deployment vouches for (a security context, the user a CLI runs as), asked
     * on every replay and discard and recorded in the audit instead of the caller's declared actor;
     * a call that declares another name, or a supplier that gives none, is refused. None by
     * default: the declared actor is recorded as given.
     */
    Builder actor(java.util.function.Supplier<String> verifiedActor);

    /** How long to wait for Kafka; 30 s by default. */
    Builder timeout(Duration timeout);

    /** Adds a listener. */
    Builder listener(DeadLetterListener listener);

    /**
     * Where replays are counted: {@code keel.dlq.replayed} is incremented by every replayed dead
     * letter once its key's transaction committed (also when the replay fails later on), and
     * removed on {@link #close()}. None by default. Do not also add a {@link
     * dev.keel.dlq.micrometer.DlqMetrics} listener: {@link #build()} refuses the pair.
     */
    Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry);

    /** Validates and builds. */
    DeadLetters build();
  }
}
