package dev.keel.saga.internal;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.saga.CommandHandler;
import java.util.regex.Pattern;

/**
 * One command a participant handles.
 *
 * @param compensation whether this is a compensation
 * @param topic the command topic
 * @param commandType the command type
 * @param payloadType the payload class
 * @param replyType the success reply type
 * @param handler the handler
 * @param <C> the payload type
 */
public record ParticipantRegistration<C>(
    boolean compensation,
    String topic,
    String commandType,
    Class<C> payloadType,
    String replyType,
    CommandHandler<C> handler) {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  /**
   * Validates, naming the participant and the command.
   *
   * @param group the participant group
   */
  public void validate(String group) {
    String who = "SagaParticipant " + group + ", command " + commandType;
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new KeelConfigurationException(who + ": topic must be a legal Kafka topic name");
    }
    if (commandType == null || !Event.TYPE_PATTERN.matcher(commandType).matches()) {
      throw new KeelConfigurationException(who + ": the command type must be an event type");
    }
    if (replyType == null || !Event.TYPE_PATTERN.matcher(replyType).matches()) {
      throw new KeelConfigurationException(
          who + ": the reply type must be an event type such as payment.authorized");
    }
    if (payloadType == null || handler == null) {
      throw new KeelConfigurationException(who + ": payloadType and handler are required");
    }
  }
}
