package dev.keel.saga;

import java.util.Objects;
import java.util.function.Function;

/**
 * A command event a step sends to a participant, as an action ({@link StepAction.Remote}) or as a
 * compensation ({@link Compensation.Remote}): the topic, the {@link StepContract} it follows (the
 * command type, the participant and the reply types) and how its payload is built from the saga
 * data.
 *
 * <p>Immutable and thread-safe.
 *
 * @param topic the participant's command topic
 * @param contract the command, its participant and its reply types
 * @param payload builds the command payload (encoded as JSON) from the saga data
 * @param <D> the saga data type
 */
public record RemoteCommand<D>(String topic, StepContract<?, ?> contract, Function<D, ?> payload) {

  /**
   * A command.
   *
   * @throws NullPointerException when an argument is null
   */
  public RemoteCommand {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(payload, "payload");
  }

  /** The command type, a request such as {@code payment.authorize}. */
  public String type() {
    return contract.commandType();
  }

  /** The success reply type, a fact such as {@code payment.authorized}. */
  public String replyType() {
    return contract.successType();
  }
}
