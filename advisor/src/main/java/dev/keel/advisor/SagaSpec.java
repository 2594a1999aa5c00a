package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An orchestrated saga: ordered steps run by one orchestrator service. Immutable.
 *
 * @param name the saga name, unique in the topology
 * @param orchestrator the service that runs it
 * @param trigger the event that starts it, if any
 * @param timeout the deadline of the whole saga, if any
 * @param steps the steps, in execution order; compensations run in reverse
 * @param description what the workflow achieves
 */
public record SagaSpec(
    String name,
    String orchestrator,
    Optional<String> trigger,
    Optional<Duration> timeout,
    List<SagaStepSpec> steps,
    String description) {

  /** Validates presence and copies the steps. */
  public SagaSpec {
    Checks.name("saga.name", name);
    Checks.name("saga " + Checks.q(name) + ": orchestrator", orchestrator);
    trigger = Checks.optional(trigger);
    timeout = Checks.optional(timeout);
    timeout.ifPresent(t -> Checks.positive("saga " + Checks.q(name) + ": timeout", t));
    steps = Checks.list(steps);
    description = description == null ? "" : description;
  }
}
