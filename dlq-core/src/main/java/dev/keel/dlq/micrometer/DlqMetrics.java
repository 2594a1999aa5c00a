package dev.keel.dlq.micrometer;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterStore;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Micrometer meters of dlq-core, as a {@link DeadLetterListener}: {@code keel.dlq.records{reason}}
 * (counter), {@code keel.dlq.replayed} (counter) and {@code keel.dlq.parked.keys} (gauge over the
 * store, read at most every 10 s). Tags are bounded: the reason only, never keys or ids.
 *
 * <pre>{@code
 * DlqMetrics metrics = DlqMetrics.bind(registry, store);
 * DeadLetterPublisher.builder()...listener(metrics).build();
 * DeadLetters.builder()...listener(metrics).build();
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} removes the meters from the registry.
 */
public final class DlqMetrics implements DeadLetterListener, AutoCloseable {
  private static final Duration GAUGE_CACHE = Duration.ofSeconds(10);

  private final MeterRegistry registry;
  private final Map<FailureClass, Counter> records = new EnumMap<>(FailureClass.class);
  private final Counter replayed;
  private final List<Meter> meters = new ArrayList<>();
  private final DeadLetterStore store;
  private final Clock clock;
  private Instant readAt;
  private double parkedKeys;

  private DlqMetrics(MeterRegistry registry, DeadLetterStore store, Clock clock) {
    this.registry = registry;
    this.store = store;
    this.clock = clock;
    for (FailureClass c : FailureClass.values()) {
      Counter counter =
          Counter.builder(KeelMeters.DLQ_RECORDS)
              .description("Records dead-lettered, by failure class")
              .baseUnit("records")
              .tag("reason", c.tag())
              .register(registry);
      records.put(c, counter);
      meters.add(counter);
    }
    replayed =
        Counter.builder(KeelMeters.DLQ_REPLAYED)
            .description("Dead letters replayed by operators")
            .baseUnit("records")
            .register(registry);
    meters.add(replayed);
    if (store != null) {
      meters.add(
          Gauge.builder(KeelMeters.DLQ_PARKED_KEYS, this, DlqMetrics::readParkedKeys)
              .description("Keys blocked in ordered mode, their later records parked")
              .baseUnit("keys")
              .register(registry));
    }
  }

  /**
   * Registers the meters.
   *
   * @param registry where
   * @param store the store the parked-keys gauge reads, or null for no gauge
   */
  public static DlqMetrics bind(MeterRegistry registry, DeadLetterStore store) {
    return bind(registry, store, Clock.systemUTC());
  }

  /**
   * Registers the meters, with the clock that spaces the parked-keys gauge's reads.
   *
   * @param registry where
   * @param store the store the parked-keys gauge reads, or null for no gauge
   * @param clock when the gauge last read the store (at most every 10 s)
   */
  public static DlqMetrics bind(MeterRegistry registry, DeadLetterStore store, Clock clock) {
    return new DlqMetrics(registry, store, java.util.Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public void onDeadLettered(DeadLetter deadLetter) {
    records.get(deadLetter.reason()).increment();
  }

  @Override
  public void onReplayed(ActionResult result) {
    replayed.increment(result.records());
  }

  private synchronized double readParkedKeys() {
    Instant now = clock.instant();
    if (readAt == null || !now.isBefore(readAt.plus(GAUGE_CACHE))) {
      try {
        parkedKeys = store.blockedKeys();
      } catch (RuntimeException e) {
        parkedKeys = Double.NaN; // database unavailable; the gauge says so
      }
      readAt = now;
    }
    return parkedKeys;
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
