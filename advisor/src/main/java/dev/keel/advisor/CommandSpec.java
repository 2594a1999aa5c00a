package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import dev.keel.event.contract.ContractField;
import java.util.List;
import java.util.Optional;

/**
 * A command: a request to act, sent by one service (usually a saga orchestrator) to exactly one
 * handling service on a command topic (docs/design.md §11). Immutable.
 *
 * @param name the command type, imperative, such as {@code payment.authorize}
 * @param sender the sending service
 * @param handler the one service that acts on it
 * @param topic the command topic
 * @param partitionKey the payload field used as the Kafka record key, if declared
 * @param version the contract version, if declared
 * @param fields the contract's fields
 * @param publishedVia outbox or direct producer
 * @param description what the command asks for
 */
public record CommandSpec(
    String name,
    String sender,
    String handler,
    String topic,
    Optional<String> partitionKey,
    Optional<Integer> version,
    List<ContractField> fields,
    Publication publishedVia,
    String description) {

  /** Validates presence and copies the lists. */
  public CommandSpec {
    Checks.name("command.name", name);
    String where = "command " + Checks.q(name);
    Checks.name(where + ": sender", sender);
    Checks.name(where + ": handler", handler);
    Checks.name(where + ": topic", topic);
    partitionKey = Checks.optional(partitionKey);
    version = Checks.optional(version);
    fields = Checks.list(fields);
    Checks.present(where + ": publishedVia", publishedVia);
    description = description == null ? "" : description;
  }

  /** A versioned command keyed by a field, sent through the outbox. */
  public static CommandSpec of(
      String name,
      String sender,
      String handler,
      String topic,
      String partitionKey,
      int version,
      List<ContractField> fields) {
    return new CommandSpec(
        name,
        sender,
        handler,
        topic,
        Optional.ofNullable(partitionKey),
        Optional.of(version),
        fields,
        Publication.OUTBOX,
        "");
  }
}
