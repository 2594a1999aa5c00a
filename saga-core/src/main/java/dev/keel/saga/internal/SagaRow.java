package dev.keel.saga.internal;

import dev.keel.saga.SagaPhase;
import dev.keel.saga.SagaState;
import java.time.Instant;
import java.util.UUID;

/** A mutable copy of one {@code keel_saga} row, read under its row lock and written back. */
final class SagaRow {
  UUID id;
  String name;
  int definitionVersion;
  SagaState state;
  int stepIndex;
  String stepName;
  SagaPhase phase;
  int attempt;
  String dataJson;
  int dataVersion;
  Instant deadline;
  long lockVersion;
  int logSeq;
  Instant createdAt;
  Instant updatedAt;
  Instant stepStartedAt;
  Instant lastProgressAt;
  String failureReason;
  String resolvedBy;
  String commandId;
  String secret;
}
