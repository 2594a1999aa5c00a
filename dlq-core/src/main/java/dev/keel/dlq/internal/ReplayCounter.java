package dev.keel.dlq.internal;

import dev.keel.event.KeelMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@code keel.dlq.replayed} counter, registered alike by every component that counts it. */
public final class ReplayCounter {
  private ReplayCounter() {}

  /**
   * Registers (or finds) the counter.
   *
   * @param registry where
   */
  public static Counter register(MeterRegistry registry) {
    return Counter.builder(KeelMeters.DLQ_REPLAYED)
        .description("Dead letters replayed by operators")
        .baseUnit("records")
        .register(registry);
  }
}
