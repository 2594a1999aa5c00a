package dev.keel.saga;

import java.util.Objects;

/**
 * How a {@link SagaStep} is undone: a {@link Local} call in the orchestrator's transaction, a
 * {@link Remote} command to a participant, or {@link None}, stated explicitly (a read, a check, a
 * step after the pivot).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <D> the saga data type
 */
public sealed interface Compensation<D>
    permits Compensation.Local, Compensation.Remote, Compensation.None {

  /** Whether there is something to undo ({@code false} only for {@link None}). */
  default boolean undoes() {
    return !(this instanceof None);
  }

  /**
   * A compensation run in the orchestrator's own transaction.
   *
   * @param compensation the call
   * @param <D> the saga data type
   */
  record Local<D>(LocalAction<D> compensation) implements Compensation<D> {
    /** A local compensation; {@code compensation} must not be null. */
    public Local {
      Objects.requireNonNull(compensation, "compensation");
    }
  }

  /**
   * A compensation command to a participant, answered by its contract's success reply.
   *
   * @param command the command
   * @param <D> the saga data type
   */
  record Remote<D>(RemoteCommand<D> command) implements Compensation<D> {
    /** A compensation command; {@code command} must not be null. */
    public Remote {
      Objects.requireNonNull(command, "command");
    }
  }

  /**
   * Nothing to undo.
   *
   * @param <D> the saga data type
   */
  record None<D>() implements Compensation<D> {}
}
