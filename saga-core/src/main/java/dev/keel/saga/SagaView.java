package dev.keel.saga;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A saga instance as stored, for queries and operators.
 *
 * @param id the saga id
 * @param name the definition name
 * @param definitionVersion the definition version that started it
 * @param state the state
 * @param step the step the saga is at, never null: while it is in flight, the step being executed
 *     or compensated; once it is done, the last step it executed or compensated (for {@code
 *     COMPENSATION_FAILED}, the step whose compensation failed, the one {@link
 *     SagaAdmin#retryCompensation} retries)
 * @param phase {@link SagaPhase#AWAIT} (waiting for a reply or a deadline), {@link SagaPhase#RETRY}
 *     (waiting to send the next attempt) or {@link SagaPhase#DONE}
 * @param attempt the attempt of the current step's action or compensation
 * @param dataJson the saga data as stored JSON
 * @param dataVersion the version of the data's shape
 * @param deadline the step timeout or next retry time, null when none
 * @param createdAt when the saga started
 * @param updatedAt the last write
 * @param lastProgressAt the last step progress (what {@code stuck} measures)
 * @param failureReason why the saga failed or compensates, null otherwise
 * @param resolvedBy the operator who resolved it by hand, null otherwise
 * @param log the step log, in order (empty in list queries)
 */
public record SagaView(
    UUID id,
    String name,
    int definitionVersion,
    SagaState state,
    String step,
    SagaPhase phase,
    int attempt,
    String dataJson,
    int dataVersion,
    Instant deadline,
    Instant createdAt,
    Instant updatedAt,
    Instant lastProgressAt,
    String failureReason,
    String resolvedBy,
    List<StepLogEntry> log) {

  /** The operator who resolved this saga by hand, if any. */
  public Optional<String> resolver() {
    return Optional.ofNullable(resolvedBy);
  }
}
