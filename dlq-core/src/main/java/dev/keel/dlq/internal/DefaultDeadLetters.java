package dev.keel.dlq.internal;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.AuditEntry;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.ParkedRecord;
import dev.keel.dlq.kafka.KafkaRecordSink;
import dev.keel.dlq.micrometer.DlqMetrics;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.support.Actors;
import dev.keel.event.support.Values;
import dev.keel.retry.spi.Sleeper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay and discard: both page through every match (or stop at an explicit limit), work key by key
 * as {@link KeyReplay} and {@link KeyDiscard} do, without a database lock across a send, and write
 * one audit row, also when they fail part way: then with what was committed before the failure and
 * the error as its outcome.
 */
public final class DefaultDeadLetters implements DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DefaultDeadLetters.class);
  private static final int PAGE = 500;
  private static final int MAX_OUTCOME_CHARS = 1000;
  private static final String COMPLETED = "completed";

  /** Why replay leaves a dead letter with a redacted key alone. */
  static final String KEY_REDACTED_REFUSAL =
      "its key was redacted (PayloadRedactor.redactKey): replay would publish it under the"
          + " redacted key, to another partition than the key's other records; discard it, and"
          + " republish the original record from its source if it must still be processed";

  private final JdbcDeadLetterStore store;
  private final Map<String, Object> kafka;
  private final Duration timeout;
  private KafkaRecordSink sink; // created on first replay; discard needs no Kafka
  private final Set<String> allowedTargets;
  private final Pacer pacer;
  private final Clock clock;
  private final List<DeadLetterListener> listeners;
  private final java.util.function.Supplier<String> verifiedActor;

  private final MeterRegistry registry;
  private final Map<String, Counter> replayed = new ConcurrentHashMap<>();
  private final Duration lease;

  private DefaultDeadLetters(Builder b) {
    this.verifiedActor = b.verifiedActor;
    this.registry = b.registry;
    this.store = JdbcDeadLetterStore.over(b.store);
    this.allowedTargets = Set.copyOf(b.allowedTargets);
    this.clock = b.clock;
    this.pacer = new Pacer(b.rate, b.clock, b.sleeper);
    this.lease = lease(b.timeout, b.rate);
    this.listeners = List.copyOf(b.listeners);
    this.kafka = b.kafka == null ? null : Map.copyOf(b.kafka);
    this.timeout = b.timeout;
  }

  private synchronized KafkaRecordSink sink() {
    if (sink == null) {
      if (kafka == null) {
        throw new KeelConfigurationException(
            "DeadLetters.kafka (with bootstrap.servers) is required to replay");
      }
      sink = new KafkaRecordSink(kafka, timeout);
    }
    return sink;
  }

  @Override
  public List<DeadLetter> list(DeadLetterQuery query) {
    return store.find(query);
  }

  @Override
  public Optional<DeadLetter> show(long id) {
    return store.get(id);
  }

  /**
   * How long a claim on a key holds without renewal: renewed once a quarter of it has passed, at
   * the latest before the next send, it outlasts a pacing wait and a send that takes the whole
   * timeout twice over.
   */
  static Duration lease(Duration timeout, double rate) {
    Duration interval = Duration.ofNanos((long) (1_000_000_000L / rate));
    return timeout.plus(interval).multipliedBy(2).plusSeconds(10);
  }

  @Override
  @Deprecated
  public List<ParkedRecord> parked(String group, String topic, String key) {
    return store.parked(group, topic, key);
  }

  @Override
  public List<ParkedRecord> parked(String group, String topic, String key, int limit) {
    return store.parked(group, topic, key, limit);
  }

  @Override
  public List<ParkedRecord> parked(
      String group, String topic, String key, long afterId, int limit) {
    return store.parked(group, topic, key, afterId, limit);
  }

  @Override
  public ActionResult replay(DeadLetterQuery selection, String actor) {
    return replay(selection, actor, null);
  }

  @Override
  public ActionResult replay(DeadLetterQuery selection, String declared, String targetTopic) {
    String actor = Actors.resolve(verifiedActor, declared, "DeadLetters.replay");
    if (targetTopic != null && !allowedTargets.contains(targetTopic)) {
      throw new KeelConfigurationException(
          "DeadLetters.replay target "
              + Values.quote(targetTopic)
              + " is not in allowedTargets "
              + allowedTargets);
    }
    KafkaRecordSink producer = sink();
    ActionResult result =
        run(
            "replay",
            selection,
            actor,
            targetTopic,
            progress ->
                new KeyReplay(store, clock, lease, actor, progress, producer, targetTopic, pacer));
    Listeners.fire(listeners, l -> l.onReplayed(result));
    return result;
  }

  /**
   * Runs an action over every page of the selection's dead letters, audits it (also when it fails
   * part way) and logs it.
   */
  private ActionResult run(
      String action,
      DeadLetterQuery selection,
      String actor,
      String target,
      Function<ActionProgress, KeyAction> work) {
    long matched = store.count(dead(selection));
    long selected = selection.limited() ? Math.min(matched, selection.limit()) : matched;
    ActionProgress progress =
        new ActionProgress(
            action.equals("replay") ? this::countReplayed : d -> {},
            handled -> Listeners.fire(listeners, l -> l.onProgress(action, handled, selected)));
    KeyAction keys = work.apply(progress);
    try {
      forEachPage(selection, keys::page);
    } catch (RuntimeException e) {
      throw failed(action, selection, actor, target, matched, progress, e);
    }
    String outcome =
        progress.refused.isEmpty()
            ? COMPLETED
            : COMPLETED + "; " + progress.refused.size() + " refused (key redacted)";
    ActionResult result = audit(action, selection, actor, target, matched, progress, outcome);
    log.info(
        "Dead-letter {} by {}: {} of {} matching, {} parked {}, {} skipped, {} refused (audit {})",
        action,
        Values.quote(actor),
        result.records(),
        matched,
        result.parkedRecords(),
        action.equals("replay") ? "released" : "removed",
        result.skipped(),
        result.refused().size(),
        result.auditId());
    return result;
  }

  /** Counts a replayed dead letter in its group's {@code keel.dlq.replayed} counter. */
  private void countReplayed(DeadLetter d) {
    if (registry != null) {
      replayed.computeIfAbsent(d.group(), g -> ReplayCounter.register(registry, g)).increment();
    }
  }

  @Override
  public ActionResult discard(DeadLetterQuery selection, String declared) {
    String actor = Actors.resolve(verifiedActor, declared, "DeadLetters.discard");
    ActionResult result =
        run(
            "discard",
            selection,
            actor,
            null,
            progress -> new KeyDiscard(store, clock, lease, actor, progress));
    Listeners.fire(listeners, l -> l.onDiscarded(result));
    return result;
  }

  /**
   * Hands the selection's {@code DEAD} dead letters to {@code action} a page at a time, in id
   * order: every match, or only up to the selection's limit when one was set explicitly.
   */
  private void forEachPage(DeadLetterQuery selection, Consumer<List<DeadLetter>> action) {
    long after = selection.afterId();
    int taken = 0;
    while (true) {
      int size = selection.limited() ? Math.min(PAGE, selection.limit() - taken) : PAGE;
      if (size <= 0) {
        return;
      }
      List<DeadLetter> page =
          store.find(dead(selection).toBuilder().afterId(after).limit(size).build());
      if (page.isEmpty()) {
        return;
      }
      taken += page.size();
      after = page.get(page.size() - 1).id();
      action.accept(page);
      if (page.size() < size) {
        return;
      }
    }
  }

  @Override
  public List<AuditEntry> audit(int limit) {
    return store.audit(limit);
  }

  /** Audits what a failed action did before it stopped, then hands back its error. */
  private RuntimeException failed(
      String action,
      DeadLetterQuery selection,
      String actor,
      String target,
      long matched,
      ActionProgress progress,
      RuntimeException error) {
    String m = error.getMessage();
    String outcome =
        "failed after "
            + progress.done.size()
            + " dead letter(s): "
            + error.getClass().getName()
            + (m == null ? "" : ": " + m);
    outcome = outcome.substring(0, Math.min(outcome.length(), MAX_OUTCOME_CHARS));
    try {
      ActionResult partial = audit(action, selection, actor, target, matched, progress, outcome);
      log.warn(
          "Dead-letter {} by {} failed after {} of {} matching, {} parked (audit {}): {}",
          action,
          Values.quote(actor),
          partial.records(),
          matched,
          partial.parkedRecords(),
          partial.auditId(),
          error.toString());
    } catch (RuntimeException auditFailed) {
      error.addSuppressed(auditFailed);
      log.error(
          "Dead-letter {} by {} failed after {} dead letter(s) and could not be audited: {}",
          action,
          Values.quote(actor),
          progress.done.size(),
          auditFailed.toString());
    }
    return error;
  }

  private ActionResult audit(
      String action,
      DeadLetterQuery selection,
      String actor,
      String target,
      long matched,
      ActionProgress progress,
      String outcome) {
    List<Long> done = List.copyOf(progress.done);
    int parked = progress.parked;
    long auditId =
        store.write(
            c ->
                store.insertAudit(
                    c,
                    clock.instant(),
                    actor,
                    action,
                    selection.describe(),
                    target,
                    done.size(),
                    parked,
                    outcome));
    return new ActionResult(
        action,
        matched,
        done.size(),
        parked,
        progress.skipped,
        auditId,
        done,
        progress.groups,
        progress.refused);
  }

  private static DeadLetterQuery dead(DeadLetterQuery q) {
    return q.toBuilder().status(DeadLetterStatus.DEAD).build();
  }

  @Override
  public synchronized void close() {
    if (sink != null) {
      sink.close();
    }
    if (registry != null) {
      replayed.values().forEach(registry::remove);
    }
  }

  /** The builder. */
  public static final class Builder implements DeadLetters.Builder {
    private DeadLetterStore store;
    private Map<String, Object> kafka;
    private Set<String> allowedTargets = Set.of();
    private double rate = ConfigKey.DLQ_REPLAY_RATE.doubleDefault();
    private Sleeper sleeper = Sleeper.system();
    private Clock clock = Clock.systemUTC();
    private Duration timeout = ConfigKey.DLQ_TIMEOUT.durationDefault();
    private final List<DeadLetterListener> listeners = new ArrayList<>();
    private java.util.function.Supplier<String> verifiedActor;

    @Override
    public Builder actor(java.util.function.Supplier<String> verifiedActor) {
      this.verifiedActor = Objects.requireNonNull(verifiedActor, "DeadLetters.actor");
      return this;
    }

    private MeterRegistry registry;

    @Override
    public Builder store(DeadLetterStore store) {
      this.store = store;
      return this;
    }

    @Override
    public Builder kafka(Map<String, Object> clientProperties) {
      this.kafka = clientProperties;
      return this;
    }

    @Override
    public Builder allowedTargets(Set<String> topics) {
      this.allowedTargets = Objects.requireNonNull(topics, "DeadLetters.allowedTargets");
      return this;
    }

    @Override
    public Builder replayRate(double recordsPerSecond) {
      this.rate = recordsPerSecond;
      return this;
    }

    @Override
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "DeadLetters.sleeper");
      return this;
    }

    @Override
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "DeadLetters.clock");
      return this;
    }

    @Override
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    @Override
    public Builder listener(DeadLetterListener listener) {
      listeners.add(Objects.requireNonNull(listener, "DeadLetters.listener"));
      return this;
    }

    @Override
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The replay rate {@link #build()} uses (for tests of the defaults). */
    double configuredReplayRate() {
      return rate;
    }

    /** The send timeout {@link #build()} uses (for tests of the defaults). */
    Duration configuredTimeout() {
      return timeout;
    }

    @Override
    public DeadLetters build() {
      if (store == null) {
        throw new KeelConfigurationException("DeadLetters.store is required");
      }
      if (registry != null && listeners.stream().anyMatch(l -> l instanceof DlqMetrics)) {
        throw new KeelConfigurationException(
            "DeadLetters.meterRegistry counts keel.dlq.replayed itself; a DlqMetrics listener"
                + " would count every replay twice (drop one of them)");
      }
      if (kafka != null && !kafka.containsKey("bootstrap.servers")) {
        throw new KeelConfigurationException("DeadLetters.kafka must contain bootstrap.servers");
      }
      if (!(rate >= 0.1 && rate <= 100_000)) {
        throw new KeelConfigurationException(
            "DeadLetters.replayRate must be between 0.1 and 100000 records/s, was " + rate);
      }
      if (timeout == null
          || timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new KeelConfigurationException(
            "DeadLetters.timeout must be between 1 s and 10 min, was " + timeout);
      }
      for (String t : allowedTargets) {
        if (t == null || !t.matches("[A-Za-z0-9._-]{1,249}")) {
          throw new KeelConfigurationException(
              "DeadLetters.allowedTargets must hold legal topic names, had " + Values.quote(t));
        }
      }
      return new DefaultDeadLetters(this);
    }
  }
}
