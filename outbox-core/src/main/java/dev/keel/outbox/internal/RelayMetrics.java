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

/** The relay's meters; a no-op when no registry is configured. Meters are removed on close. */
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
                .register(registry));
    latency =
        add(
            Timer.builder(KeelMeters.OUTBOX_PUBLISH_LATENCY)
                .description("From append to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99, 0.999)
                .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_PENDING, pending, AtomicLong::get)
            .description("Rows waiting in the outbox")
            .baseUnit("events")
            .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_OLDEST_AGE, oldestAgeMillis, a -> a.get() / 1000.0)
            .description("Age of the oldest waiting row")
            .baseUnit("seconds")
            .register(registry));
    add(
        Gauge.builder(KeelMeters.OUTBOX_QUARANTINED, quarantined, AtomicLong::get)
            .description("Rows set aside because they can never be published")
            .baseUnit("events")
            .register(registry));
    add(
        Gauge.builder(KeelMeters.RELAY_LANES_OWNED, lanesOwned, s -> s.getAsInt())
            .description("Lanes this relay instance owns")
            .tag("instance", instance)
            .baseUnit("lanes")
            .register(registry));
    add(
        Gauge.builder("keel.relay.lanes.stopped", lanesStopped, s -> s.getAsInt())
            .description("Strictly ordered lanes stopped at a row they cannot publish")
            .baseUnit("lanes")
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
