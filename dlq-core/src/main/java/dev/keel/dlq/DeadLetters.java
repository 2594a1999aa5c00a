package dev.keel.dlq;

import dev.keel.dlq.internal.DefaultDeadLetters;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.retry.spi.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
 * replayed.
 *
 * <p>No database lock is held while a replay sends or waits. It claims a blocked key (or a dead
 * letter whose key is not blocked) for a lease in a short transaction, so that a second replay or
 * discard of the same key meanwhile skips it ({@link ActionResult#skipped()}) instead of sending it
 * too; it sends a key's parked records a page of 100 at a time (with their payloads, the most it
 * holds in memory) and records each page once Kafka acknowledged it. The consumer keeps parking the
 * key's new records meanwhile and processes the records the replay sends (it tells them by {@link
 * DeadLetterHeaders#RELEASE}); the key is unblocked in the transaction that finds nothing more
 * parked, so the records parked during the replay are sent too, after the others. A replay cut off
 * part way (crash, lost connection) keeps its claim until the lease ends (twice the {@link
 * Builder#timeout} and the pacing interval, plus 10 s: about 70 s by default); running it again
 * then goes on where it stopped and sends the page (or dead letter) that was in flight once more:
 * delivery is at least once, with at most that page twice. Consumers that deduplicate by event id
 * see one effect.
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
   * A builder with the {@code dlq} keys of a properties tree applied ({@code
   * keel.dlq.allowed-targets}, {@code keel.dlq.replay-rate}, {@code keel.dlq.timeout}; see {@link
   * ConfigKey}). Add {@code .database(db)} and {@code .kafka(kafka)}.
   *
   * @throws dev.keel.event.KeelConfigurationException naming a key that is wrong or unknown
   */
  static Builder fromProperties(KeelSettings settings) {
    return builder().settings(settings);
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
   * Every record parked behind a key.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key
   * @throws dev.keel.event.KeelConfigurationException when more than {@link
   *     DeadLetterQuery#MAX_LIMIT} records are parked behind the key
   * @deprecated reads a key's whole backlog at once; use {@link #parked(String, String, String,
   *     int)} and {@link #parked(String, String, String, long, int)}, a page at a time
   */
  @Deprecated
  List<ParkedRecord> parked(String group, String topic, String key);

  /**
   * The first records parked behind a key, in release order ({@link DeadLetterStore#parked(String,
   * String, String, int)}).
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key
   * @param limit at most this many, 1 to 10,000
   */
  List<ParkedRecord> parked(String group, String topic, String key, int limit);

  /**
   * The records parked behind a key after the one with id {@code afterId}, in release order.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key
   * @param afterId the id of the last record of the previous page
   * @param limit at most this many, 1 to 10,000
   */
  List<ParkedRecord> parked(String group, String topic, String key, long afterId, int limit);

  /**
   * Replays the {@code DEAD} dead letters matching the query to their original topics, then
   * releases the parked records of their keys in order.
   *
   * <p>Every matching dead letter is replayed, page by page, unless the selection has an explicit
   * {@link DeadLetterQuery.Builder#limit}. When a send fails, the dead letters marked before it
   * stay {@code REPLAYED}, the audit row records them with a {@code failed: ...} outcome, and the
   * error is thrown; replaying again picks up the rest (a key's dead letters are marked once its
   * parked records are all sent, so a key cut off part way is selected again). Dead letters whose
   * key was redacted are refused, each with the reason in {@link ActionResult#refused()}, and stay
   * {@code DEAD}.
   *
   * <p>When a replayed record of a key fails again while the key is being released (a new dead
   * letter of the key arrives), the release stops: its dead letters are marked {@code REPLAYED},
   * the key stays blocked, and the records it had already sent are parked again in their places as
   * the consumer reads them, ahead of the records parked meanwhile.
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
   * records parked behind their keys (which unblocks the keys), a page at a time in short
   * transactions; records parked while a discard of their key runs are removed with the rest, and
   * the key is unblocked in the transaction that finds none left. Every match, page by page, unless
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
    /**
     * The shared database: a store on its data source, dialect and table names. The store's tables
     * are installed by a component's schema policy or by {@link KeelDatabase#install(String...)}
     * ({@code "dlq"}).
     */
    default Builder database(KeelDatabase database) {
      return store(DeadLetterStore.builder().database(database).build());
    }

    /** The shared Kafka cluster, for replay. */
    default Builder kafka(KeelKafka kafka) {
      return kafka(new HashMap<>(kafka.clientProperties("dlq")));
    }

    /**
     * Applies the {@code dlq} keys that are set; keys left out keep this builder's values.
     *
     * @throws dev.keel.event.KeelConfigurationException naming a key that is wrong or unknown
     */
    default Builder settings(KeelSettings s) {
      s.requireKnown("dlq");
      if (s.has(ConfigKey.DLQ_ALLOWED_TARGETS)) {
        allowedTargets(new LinkedHashSet<>(s.list(ConfigKey.DLQ_ALLOWED_TARGETS)));
      }
      if (s.has(ConfigKey.DLQ_REPLAY_RATE)) {
        replayRate(s.doubleValue(ConfigKey.DLQ_REPLAY_RATE));
      }
      s.durationIfSet(ConfigKey.DLQ_TIMEOUT).ifPresent(this::timeout);
      return this;
    }

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
     * Where replays are counted: {@code keel.dlq.replayed{group}} is incremented by every replayed
     * dead letter, in the counter of its consumer group, once it is marked {@code REPLAYED} (also
     * when the replay fails later on); the counters are removed on {@link #close()}. None by
     * default. Do not also add a {@link dev.keel.dlq.micrometer.DlqMetrics} listener: {@link
     * #build()} refuses the pair.
     */
    Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry);

    /** Validates and builds. */
    DeadLetters build();
  }
}
