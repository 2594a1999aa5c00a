package dev.keel.saga;

import java.util.Objects;

/**
 * What a {@link SagaStep} does going forward: either a {@link Local} call in the orchestrator's
 * transaction, or a {@link Remote} command to a participant, answered by a reply. There is no third
 * kind and no half-configured one: a local action has no reply, a command always has its topic,
 * contract and payload.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * if (step.action() instanceof StepAction.Remote<D> remote) {
 *   String topic = remote.command().topic();
 * }
 * }</pre>
 *
 * @param <D> the saga data type
 */
public sealed interface StepAction<D> permits StepAction.Local, StepAction.Remote {

  /**
   * An action run in the orchestrator's own transaction.
   *
   * @param action the call
   * @param <D> the saga data type
   */
  record Local<D>(LocalAction<D> action) implements StepAction<D> {
    /** A local action; {@code action} must not be null. */
    public Local {
      Objects.requireNonNull(action, "action");
    }
  }

  /**
   * A command to a participant; its success reply, decoded into the contract's success class (null
   * when the contract declares none), updates the saga data.
   *
   * @param command the command
   * @param onSuccess returns the saga data updated with the success reply
   * @param <D> the saga data type
   */
  record Remote<D>(RemoteCommand<D> command, ReplyHandler<D, Object> onSuccess)
      implements StepAction<D> {
    /** A command action; no argument may be null. */
    public Remote {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(onSuccess, "onSuccess");
    }
  }
}
