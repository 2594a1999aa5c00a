package dev.keel.saga.internal;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.saga.CommandHandler;
import dev.keel.saga.StepContract;
import java.util.regex.Pattern;

/**
 * One command a participant handles.
 *
 * @param compensation whether this is a compensation
 * @param topic the command topic
 * @param contract the command's contract: its type, payload class and reply types
 * @param handler the handler
 * @param <C> the payload type
 */
public record ParticipantRegistration<C>(
    boolean compensation, String topic, StepContract<C, ?> contract, CommandHandler<C> handler) {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  /** The command type. */
  public String commandType() {
    return contract.commandType();
  }

  /** The command payload class. */
  public Class<C> payloadType() {
    return contract.commandClass();
  }

  /** The success reply type. */
  public String replyType() {
    return contract.successType();
  }

  /**
   * Validates, naming the participant and the command.
   *
   * @param group the participant group
   * @param source the participant's {@code keel-source}, which a typed contract must name
   */
  public void validate(String group, String source) {
    if (contract == null) {
      throw new KeelConfigurationException(
          "SagaParticipant " + group + ": a StepContract is null (topic " + topic + ")");
    }
    String who = "SagaParticipant " + group + ", command " + contract.commandType();
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new KeelConfigurationException(who + ": topic must be a legal Kafka topic name");
    }
    if (handler == null || contract.commandClass() == null) {
      throw new KeelConfigurationException(who + ": payloadType and handler are required");
    }
    if (contract.commandType() == null
        || !Event.TYPE_PATTERN.matcher(contract.commandType()).matches()) {
      throw new KeelConfigurationException(who + ": the command type must be an event type");
    }
    if (contract.successType() == null
        || !Event.TYPE_PATTERN.matcher(contract.successType()).matches()) {
      throw new KeelConfigurationException(
          who + ": the reply type must be an event type such as payment.authorized");
    }
    if (contract.participant().isPresent() && !contract.participant().get().equals(source)) {
      throw new KeelConfigurationException(
          who
              + ": "
              + contract
              + " names participant "
              + contract.participant().get()
              + ", but this participant's source is "
              + source
              + "; its replies would be refused");
    }
  }
}
