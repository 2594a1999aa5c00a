package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.time.Duration;
import java.util.Optional;

/**
 * One step of a saga: a command to a participant, the replies that end it, its compensation and its
 * timeout (docs/design.md §6). Immutable.
 *
 * @param name the step name, unique in its saga
 * @param command the command sent to the participant
 * @param onSuccess the reply event (a fact) that completes the step
 * @param onFailure the reply event that fails the step, if the participant reports failures
 * @param compensation the command that undoes the step, if any
 * @param compensated the reply event that confirms the compensation, if any
 * @param timeout how long the orchestrator waits for a reply, if bounded
 */
public record SagaStepSpec(
    String name,
    String command,
    String onSuccess,
    Optional<String> onFailure,
    Optional<String> compensation,
    Optional<String> compensated,
    Optional<Duration> timeout) {

  /** Validates presence. */
  public SagaStepSpec {
    Checks.name("step.name", name);
    Checks.name("step " + Checks.q(name) + ": command", command);
    Checks.name("step " + Checks.q(name) + ": onSuccess", onSuccess);
    onFailure = Checks.optional(onFailure);
    compensation = Checks.optional(compensation);
    compensated = Checks.optional(compensated);
    timeout = Checks.optional(timeout);
    timeout.ifPresent(t -> Checks.positive("step " + Checks.q(name) + ": timeout", t));
  }

  /** A complete step: replies, compensation and timeout. */
  public static SagaStepSpec of(
      String name,
      String command,
      String onSuccess,
      String onFailure,
      String compensation,
      String compensated,
      Duration timeout) {
    return new SagaStepSpec(
        name,
        command,
        onSuccess,
        Optional.ofNullable(onFailure),
        Optional.ofNullable(compensation),
        Optional.ofNullable(compensated),
        Optional.ofNullable(timeout));
  }
}
