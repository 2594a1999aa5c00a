package dev.keel.saga.internal;

import dev.keel.event.KeelMeters;
import dev.keel.saga.SagaState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code keel.saga.*} meters of one orchestrator. Every meter carries the orchestrator's {@code
 * group}, so that orchestrators of different groups on one registry (two services in one JVM, each
 * with a saga of the same name) keep their own. The other tags are bounded: the saga name, the step
 * name, the kind, the terminal state and the rejection reason; never saga ids. Counts are taken
 * when a transition is written, so a transaction that is rolled back and redone can count twice.
 *
 * <p>The registry holds counters and timers strongly; the stuck gauge holds its state strongly too
 * (Micrometer would otherwise hold it weakly and read NaN after a garbage collection). Meters are
 * looked up on every use instead of cached: when another orchestrator of the same group on the same
 * registry closes and removes the meters they share, this one registers them again rather than
 * counting into removed meters. Thread-safe; {@link #close()} removes the meters, after which
 * nothing is counted.
 */
final class SagaMetrics implements AutoCloseable {
  private static final String FAILED = "Sagas ended in FAILED or COMPENSATION_FAILED";
  private final MeterRegistry registry;
  private final String group;
  private final AtomicLong stuck = new AtomicLong();
  private final Set<Meter> meters = new LinkedHashSet<>();
  private volatile boolean closed;

  /**
   * Registers the stuck gauge and each saga's outcome counters at zero.
   *
   * @param registry the registry, or null for no meters
   * @param group the orchestrator's consumer group, the {@code group} tag of every meter
   * @param sagas the names of the orchestrator's definitions
   */
  SagaMetrics(MeterRegistry registry, String group, Collection<String> sagas) {
    this.registry = registry;
    this.group = group;
    if (registry == null) {
      return;
    }
    remember(stuckGauge());
    for (String saga : sagas) {
      counter(KeelMeters.SAGA_STARTED, "Sagas started", saga, null);
      counter(KeelMeters.SAGA_COMPLETED, "Sagas completed", saga, null);
      counter(KeelMeters.SAGA_COMPENSATED, "Sagas compensated", saga, null);
      counter(KeelMeters.SAGA_FAILED, FAILED, saga, SagaState.FAILED.name());
      counter(KeelMeters.SAGA_FAILED, FAILED, saga, SagaState.COMPENSATION_FAILED.name());
    }
  }

  void started(String saga) {
    count(KeelMeters.SAGA_STARTED, "Sagas started", saga, null);
  }

  void ended(String saga, SagaState state) {
    switch (state) {
      case COMPLETED -> count(KeelMeters.SAGA_COMPLETED, "Sagas completed", saga, null);
      case COMPENSATED -> count(KeelMeters.SAGA_COMPENSATED, "Sagas compensated", saga, null);
      case FAILED, COMPENSATION_FAILED -> count(KeelMeters.SAGA_FAILED, FAILED, saga, state.name());
      default -> {}
    }
  }

  void stepDone(String saga, String step, String kind, Duration took) {
    if (registry == null || closed || took.isNegative()) {
      return;
    }
    Timer t =
        Timer.builder(KeelMeters.SAGA_STEP_DURATION)
            .description("Time from sending a step's command (or compensation) to its success")
            .tag("group", group)
            .tag("saga", saga)
            .tag("step", step)
            .tag("kind", kind)
            .register(registry);
    remember(t);
    t.record(took);
  }

  /**
   * A reply refused without being applied.
   *
   * @param saga the saga name, or {@code unknown} when the reply names no known saga
   * @param reason a bounded reason, such as {@code command-id} or {@code source}
   */
  void replyRejected(String saga, String reason) {
    if (registry == null || closed) {
      return;
    }
    Counter c =
        Counter.builder(KeelMeters.SAGA_REPLIES_REJECTED)
            .description("Saga replies refused: not an answer to the command the saga waits on")
            .baseUnit("replies")
            .tag("group", group)
            .tag("saga", saga)
            .tag("reason", reason)
            .register(registry);
    remember(c);
    c.increment();
  }

  void stuck(long count) {
    stuck.set(count);
    if (registry != null && !closed) {
      remember(stuckGauge()); // again, should an orchestrator of the same group have removed it
    }
  }

  private Gauge stuckGauge() {
    return Gauge.builder(KeelMeters.SAGA_STUCK, stuck, AtomicLong::get)
        .description("In-flight sagas without step progress for longer than the threshold")
        .baseUnit("sagas")
        .tag("group", group)
        .strongReference(true)
        .register(registry);
  }

  private void count(String name, String description, String saga, String state) {
    if (registry != null && !closed) {
      counter(name, description, saga, state).increment();
    }
  }

  private Counter counter(String name, String description, String saga, String state) {
    Counter.Builder b =
        Counter.builder(name)
            .description(description)
            .baseUnit("sagas")
            .tag("group", group)
            .tag("saga", saga);
    if (state != null) {
      b.tag("state", state);
    }
    Counter c = b.register(registry);
    remember(c);
    return c;
  }

  private synchronized void remember(Meter m) {
    if (closed) {
      registry.remove(m); // registered by a transition that raced with close()
    } else {
      meters.add(m);
    }
  }

  @Override
  public synchronized void close() {
    closed = true; // a late transition counts nothing rather than registering meters again
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
