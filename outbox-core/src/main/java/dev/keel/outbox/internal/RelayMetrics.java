package dev.keel.outbox.internal;

import dev.keel.event.KeelMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The relay's meters, each tagged with the relay's {@code instance} so that two relays on one
 * registry keep their own; a no-op when no registry is configured. Every gauge holds its state
 * strongly (Micrometer would otherwise hold it weakly and read NaN after a garbage collection).
 * Meters are removed on close.
 */
final class RelayMetrics implements AutoCloseable {
  final AtomicLong pending = new AtomicLong();
  final AtomicLong oldestAgeMillis = new AtomicLong();
  final AtomicLong quarantined = new AtomicLong();
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter published;
  private final Timer latency;

  RelayMetrics(
      MeterRegistry registry, String instance, IntSupplier lanesOwned, IntSupplier lanesStopped) {
    this.registry = registry;
    if (registry == null) {
      published = null;
      latency = null;
      return;
    }
    published =
        add(
            Counter.builder(KeelMeters.OUTBOX_PUBLISHED)
                .description("Events acknowledged by Kafka")
                .baseUnit("events")
                .tag("instance", instance)
                .register(registry));
    latency =
        add(
            Timer.builder(KeelMeters.OUTBOX_PUBLISH_LATENCY)
                .description("From append to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99, 0.999)
                .tag("instance", instance)
                .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_PENDING, pending, AtomicLong::get)
            .description("Rows waiting in the outbox")
            .baseUnit("events")
            .tag("instance", instance)
            .strongReference(true)
            .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_OLDEST_AGE, oldestAgeMillis, a -> a.get() / 1000.0)
            .description("Age of the oldest waiting row, on the database's clock")
            .baseUnit("seconds")
            .tag("instance", instance)
            .strongReference(true)
            .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_QUARANTINED, quarantined, AtomicLong::get)
            .description("Rows set aside because they can never be published")
            .baseUnit("events")
            .tag("instance", instance)
            .strongReference(true)
            .register(registry));
    add(
        Gauge.builder(KeelMeters.RELAY_LANES_OWNED, lanesOwned, s -> s.getAsInt())
            .description("Lanes this relay instance owns")
            .baseUnit("lanes")
            .tag("instance", instance)
            .strongReference(true)
            .register(registry));
    add(
        Gauge.builder(KeelMeters.RELAY_LANES_STOPPED, lanesStopped, s -> s.getAsInt())
            .description("Strictly ordered lanes stopped at a row they cannot publish")
            .baseUnit("lanes")
            .tag("instance", instance)
            .strongReference(true)
            .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  void published(int count, List<Long> appendedAtMillis, long nowMillis) {
    if (published == null) {
      return;
    }
    published.increment(count);
    for (long at : appendedAtMillis) {
      latency.record(Duration.ofMillis(Math.max(0, nowMillis - at)));
    }
  }

  @Override
  public void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
  }
}
