package dev.keel.dlq.micrometer;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.internal.ReplayCounter;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters of dlq-core, as a {@link DeadLetterListener}: {@code
 * keel.dlq.records{group,reason}} (counter), {@code keel.dlq.parked.keys{group}} (gauge over the
 * store, read at most every 10 s) and, when wired to a {@link dev.keel.dlq.DeadLetters} by hand,
 * {@code keel.dlq.replayed{group}} (counter per consumer group of the replayed dead letters; a
 * {@code DeadLetters} given a {@code meterRegistry} counts its replays itself). Tags are bounded:
 * the group and the reason, never keys or ids.
 *
 * <pre>{@code
 * DlqMetrics metrics = DlqMetrics.bind(registry, store, clock, Set.of("billing"));
 * DeadLetterPublisher.builder()...listener(metrics).build();
 * }</pre>
 *
 * <p>Every gauge holds its state strongly. Two instances on one registry keep apart as long as
 * their groups differ. Thread-safe. {@link #close()} removes the meters from the registry.
 */
public final class DlqMetrics implements DeadLetterListener, AutoCloseable {
  /** The {@code group} tag of a parked-keys gauge that counts every group of the store. */
  public static final String ALL_GROUPS = "*";

  private static final Duration GAUGE_CACHE = Duration.ofSeconds(10);

  private final MeterRegistry registry;
  private final Map<String, Counter> records = new ConcurrentHashMap<>();
  private final Map<String, Counter> replayed = new ConcurrentHashMap<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final DeadLetterStore store;
  private final Clock clock;

  private DlqMetrics(
      MeterRegistry registry, DeadLetterStore store, Clock clock, Collection<String> groups) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.store = store;
    this.clock = Objects.requireNonNull(clock, "clock");
    for (String group : groups) {
      for (FailureClass c : FailureClass.values()) {
        counter(group, c);
      }
    }
    if (store != null) {
      if (groups.isEmpty()) {
        parkedKeysGauge(ALL_GROUPS);
      } else {
        groups.forEach(this::parkedKeysGauge);
      }
    }
  }

  /**
   * Registers the meters; the parked-keys gauge counts the keys of every group ({@code group="*"}).
   *
   * @param registry where
   * @param store the store the parked-keys gauge reads, or null for no gauge
   */
  public static DlqMetrics bind(MeterRegistry registry, DeadLetterStore store) {
    return bind(registry, store, Clock.systemUTC());
  }

  /**
   * Registers the meters, with the clock that spaces the parked-keys gauge's reads; the gauge
   * counts the keys of every group ({@code group="*"}).
   *
   * @param registry where
   * @param store the store the parked-keys gauge reads, or null for no gauge
   * @param clock when the gauge last read the store (at most every 10 s)
   */
  public static DlqMetrics bind(MeterRegistry registry, DeadLetterStore store, Clock clock) {
    return new DlqMetrics(registry, store, clock, Set.of());
  }

  /**
   * Registers the meters of some consumer groups: a parked-keys gauge per group and the {@code
   * keel.dlq.records} counters of each group (at zero until a record is dead-lettered), so that two
   * components with different groups on one registry keep their own meters.
   *
   * @param registry where
   * @param store the store the parked-keys gauges read, or null for no gauge
   * @param clock when a gauge last read the store (at most every 10 s)
   * @param groups the consumer groups
   */
  public static DlqMetrics bind(
      MeterRegistry registry, DeadLetterStore store, Clock clock, Collection<String> groups) {
    return new DlqMetrics(registry, store, clock, Set.copyOf(groups));
  }

  private Counter counter(String group, FailureClass reason) {
    return records.computeIfAbsent(
        group + "\u0000" + reason.tag(),
        k -> {
          Counter c =
              Counter.builder(KeelMeters.DLQ_RECORDS)
                  .description("Records dead-lettered, by consumer group and failure class")
                  .baseUnit("records")
                  .tag("group", group)
                  .tag("reason", reason.tag())
                  .register(registry);
          meters.add(c);
          return c;
        });
  }

  private void parkedKeysGauge(String group) {
    ParkedKeys state = new ParkedKeys(group);
    meters.add(
        Gauge.builder(KeelMeters.DLQ_PARKED_KEYS, state, ParkedKeys::read)
            .description("Keys blocked in ordered mode, their later records parked")
            .baseUnit("keys")
            .tag("group", group)
            .strongReference(true)
            .register(registry));
  }

  @Override
  public void onDeadLettered(DeadLetter deadLetter) {
    counter(deadLetter.group(), deadLetter.reason()).increment();
  }

  @Override
  public void onReplayed(ActionResult result) {
    result
        .groups()
        .forEach(
            (group, n) ->
                replayed
                    .computeIfAbsent(
                        group,
                        g -> {
                          Counter c = ReplayCounter.register(registry, g);
                          meters.add(c);
                          return c;
                        })
                    .increment(n));
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
  }

  /** The cached count of one group's blocked keys (or every group's). */
  private final class ParkedKeys {
    private final String group;
    private Instant readAt;
    private double value;

    ParkedKeys(String group) {
      this.group = group;
    }

    synchronized double read() {
      Instant now = clock.instant();
      if (readAt == null || !now.isBefore(readAt.plus(GAUGE_CACHE))) {
        try {
          value = ALL_GROUPS.equals(group) ? store.blockedKeys() : store.blockedKeys(group);
        } catch (RuntimeException e) {
          value = Double.NaN; // database unavailable; the gauge says so
        }
        readAt = now;
      }
      return value;
    }
  }
}
