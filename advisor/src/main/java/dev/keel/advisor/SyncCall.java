package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.util.Optional;

/**
 * A synchronous dependency: one service asks another and waits for the answer. Immutable.
 *
 * @param caller the calling service
 * @param callee the called service
 * @param operation what is asked, such as {@code check-availability}
 * @param transport how the request travels
 * @param immediate whether the caller needs the answer before it can go on
 * @param sideEffect whether the call changes state in the callee (a migration candidate)
 * @param replacedBy the event meant to replace this call, when a migration is planned
 * @param description why the call exists
 */
public record SyncCall(
    String caller,
    String callee,
    String operation,
    Transport transport,
    boolean immediate,
    boolean sideEffect,
    Optional<String> replacedBy,
    String description) {

  /** How a synchronous request travels. */
  public enum Transport {
    /** HTTP request/response. */
    HTTP,
    /** gRPC. */
    GRPC,
    /** A request event and a reply event over Kafka, with the caller waiting for the reply. */
    BUS
  }

  /** Validates presence. */
  public SyncCall {
    Checks.name("synchronous.caller", caller);
    Checks.name("synchronous.callee", callee);
    Checks.name("synchronous.operation", operation);
    Checks.present("synchronous.transport", transport);
    replacedBy = Checks.optional(replacedBy);
    description = description == null ? "" : description;
  }

  /** A readable id: {@code caller -> callee.operation}. */
  public String id() {
    return caller + " -> " + callee + "." + operation;
  }
}
