package dev.keel.advisor;

import java.util.Locale;

/** The advisor's modes, as named on the command line. */
public enum Mode {
  /**
   * Per event: producer, topic, key, consumers, ordering, failure strategy; workflows; diagrams.
   */
  DESIGN,
  /** Findings by severity, each with rule id, element, why and fix. */
  REVIEW,
  /** One event's contract: fields and roles, owner, ordering, versioning, compatibility. */
  CONTRACT,
  /** Per consumer: retry, backoff, poison handling, DLQ routing, idempotency, replay, operators. */
  RELIABILITY,
  /**
   * A phased plan from marked synchronous side effects to events, with checkpoints and rollback.
   */
  MIGRATION;

  /** The lower-case name used on the command line and in JSON. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
