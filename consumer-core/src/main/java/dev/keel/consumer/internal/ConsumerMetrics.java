package dev.keel.consumer.internal;

import dev.keel.event.KeelMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code keel.consumer.*} meters, tagged by group (bounded: groups are configuration) and never
 * by key or id. Without a registry every call is a no-op. Thread-safe; {@link #close()} removes the
 * meters.
 */
final class ConsumerMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> cleanupCounters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, List<AtomicLong>> lags = new ConcurrentHashMap<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();

  ConsumerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String group, Result result) {
    count(group, result.tag);
  }

  void retried(String group) {
    count(group, "retried");
  }

  private void count(String group, String result) {
    if (registry == null) {
      return;
    }
    counters
        .computeIfAbsent(
            group + "\u0000" + result,
            k -> {
              Counter c =
                  Counter.builder(KeelMeters.CONSUMER_RECORDS)
                      .description(
                          "Records by result: processed, duplicate, dead_lettered, parked, ignored;"
                              + " retried counts attempts after a failure")
                      .baseUnit("records")
                      .tag("group", group)
                      .tag("result", result)
                      .register(registry);
              meters.add(c);
              return c;
            })
        .increment();
  }

  /** Registers the group's dedupe cleanup counters at zero. */
  void group(String group) {
    dedupeRemoved(group, 0);
  }

  void dedupeRemoved(String group, long rows) {
    if (registry != null) {
      counter(KeelMeters.CONSUMER_DEDUPE_REMOVED, group, "rows").increment(rows);
      counter(KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, group, "runs");
    }
  }

  void cleanupIncomplete(String group) {
    if (registry != null) {
      counter(KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, group, "runs").increment();
    }
  }

  private Counter counter(String name, String group, String unit) {
    return cleanupCounters.computeIfAbsent(
        name + "\u0000" + group,
        k -> {
          Counter c =
              Counter.builder(name)
                  .description(
                      unit.equals("rows")
                          ? "Expired dedupe rows removed by the cleanup"
                          : "Cleanup runs that ended at their row or time budget with expired"
                              + " rows left")
                  .baseUnit(unit)
                  .tag("group", group)
                  .register(registry);
          meters.add(c);
          return c;
        });
  }

  void handled(String group, long nanos) {
    if (registry == null) {
      return;
    }
    timers
        .computeIfAbsent(
            group,
            g -> {
              Timer t =
                  Timer.builder(KeelMeters.CONSUMER_HANDLE_DURATION)
                      .description("Dedupe insert, handler and database commit of one record")
                      .tag("group", g)
                      .register(registry);
              meters.add(t);
              return t;
            })
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A lag holder for one poll loop; the group's gauge sums its loops. */
  AtomicLong lagOf(String group) {
    AtomicLong lag = new AtomicLong();
    List<AtomicLong> all =
        lags.computeIfAbsent(
            group,
            g -> {
              List<AtomicLong> list = new CopyOnWriteArrayList<>();
              if (registry != null) {
                meters.add(
                    Gauge.builder(
                            KeelMeters.CONSUMER_LAG,
                            list,
                            l -> l.stream().mapToLong(AtomicLong::get).sum())
                        .description("Records behind the log end not yet committed, per group")
                        .baseUnit("records")
                        .tag("group", g)
                        .strongReference(true)
                        .register(registry));
              }
              return list;
            });
    all.add(lag);
    return lag;
  }

  @Override
  public void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
  }
}
