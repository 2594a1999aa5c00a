package dev.keel.saga.internal;

import dev.keel.event.KeelMeters;
import dev.keel.saga.SagaState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code keel.saga.*} meters. Tags are bounded: the saga name, the step name, the kind and the
 * terminal state; never saga ids. Counts are taken when a transition is written, so a transaction
 * that is rolled back and redone can count twice. Removes its meters on close.
 */
final class SagaMetrics implements AutoCloseable {
  static final String REPLIES_REJECTED = "keel.saga.replies.rejected";
  static final String COMMANDS_REJECTED = "keel.saga.commands.rejected";
  private final MeterRegistry registry;
  private final AtomicLong stuck = new AtomicLong();
  private final Set<Meter> meters = new LinkedHashSet<>();

  SagaMetrics(MeterRegistry registry) {
    this(registry, "keel-saga-orchestrator");
  }

  /**
   * @param group the orchestrator's consumer group, the {@code group} tag of {@code
   *     keel.saga.stuck}: orchestrators of different groups on one registry keep their own gauge
   */
  SagaMetrics(MeterRegistry registry, String group) {
    this.registry = registry;
    if (registry != null) {
      meters.add(
          Gauge.builder(KeelMeters.SAGA_STUCK, stuck, AtomicLong::get)
              .description("In-flight sagas without step progress for longer than the threshold")
              .baseUnit("sagas")
              .tag("group", group)
              .strongReference(true)
              .register(registry));
    }
  }

  void started(String saga) {
    count(KeelMeters.SAGA_STARTED, "Sagas started", saga, null);
  }

  void ended(String saga, SagaState state) {
    switch (state) {
      case COMPLETED -> count(KeelMeters.SAGA_COMPLETED, "Sagas completed", saga, null);
      case COMPENSATED -> count(KeelMeters.SAGA_COMPENSATED, "Sagas compensated", saga, null);
      case FAILED, COMPENSATION_FAILED ->
          count(
              KeelMeters.SAGA_FAILED,
              "Sagas ended in FAILED or COMPENSATION_FAILED",
              saga,
              state.name());
      default -> {}
    }
  }

  void stepDone(String saga, String step, String kind, Duration took) {
    if (registry == null || took.isNegative()) {
      return;
    }
    Timer t =
        Timer.builder(KeelMeters.SAGA_STEP_DURATION)
            .description("Time from sending a step's command (or compensation) to its success")
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
    if (registry == null) {
      return;
    }
    Counter c =
        Counter.builder(REPLIES_REJECTED)
            .description("Saga replies refused: not an answer to the command the saga waits on")
            .baseUnit("replies")
            .tag("saga", saga)
            .tag("reason", reason)
            .register(registry);
    remember(c);
    c.increment();
  }

  void stuck(long count) {
    stuck.set(count);
  }

  private void count(String name, String description, String saga, String state) {
    if (registry == null) {
      return;
    }
    Counter.Builder b =
        Counter.builder(name).description(description).baseUnit("sagas").tag("saga", saga);
    if (state != null) {
      b.tag("state", state);
    }
    Counter c = b.register(registry);
    remember(c);
    c.increment();
  }

  private synchronized void remember(Meter m) {
    meters.add(m);
  }

  @Override
  public synchronized void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
