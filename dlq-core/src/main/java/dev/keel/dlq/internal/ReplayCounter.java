package dev.keel.dlq.internal;

import dev.keel.event.KeelMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code keel.dlq.replayed{group}} counters, registered alike by every component that counts
 * them: one per consumer group of the replayed dead letters.
 */
public final class ReplayCounter {
  private ReplayCounter() {}

  /**
   * Registers (or finds) the counter of one consumer group.
   *
   * @param registry where
   * @param group the consumer group of the replayed dead letters
   */
  public static Counter register(MeterRegistry registry, String group) {
    return Counter.builder(KeelMeters.DLQ_REPLAYED)
        .description("Dead letters replayed by operators, by consumer group")
        .baseUnit("records")
        .tag("group", group)
        .register(registry);
  }
}
