package dev.keel.outbox.observation;

import dev.keel.event.observation.MessagingAttributes;
import io.micrometer.common.KeyValues;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The default relay publish convention: name {@value #NAME}, contextual (span) name {@code send
 * <topic>}; low-cardinality {@code messaging.system=kafka}, {@code messaging.operation.type=send},
 * {@code messaging.operation.name=send}, {@code messaging.destination.name=<topic>};
 * high-cardinality {@code messaging.message.id=<event id>}, and once acknowledged {@code
 * messaging.destination.partition.id} and {@code messaging.kafka.offset}; after a failure {@code
 * error.type}. The record key is left out on purpose (see {@link
 * MessagingAttributes#KAFKA_MESSAGE_KEY}). Stateless; extend it to add key values.
 */
public class DefaultOutboxSendObservationConvention implements OutboxSendObservationConvention {
  /** The shared instance. */
  public static final DefaultOutboxSendObservationConvention INSTANCE =
      new DefaultOutboxSendObservationConvention();

  /** The observation's name (and the name of the timer a meter handler records). */
  public static final String NAME = "keel.outbox.send";

  /** For subclasses; use {@link #INSTANCE} otherwise. */
  public DefaultOutboxSendObservationConvention() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public String getContextualName(OutboxSendContext context) {
    return MessagingAttributes.SEND + " " + context.topic();
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(OutboxSendContext context) {
    return KeyValues.of(
        MessagingAttributes.SYSTEM,
        MessagingAttributes.KAFKA,
        MessagingAttributes.OPERATION_TYPE,
        MessagingAttributes.SEND,
        MessagingAttributes.OPERATION_NAME,
        MessagingAttributes.SEND,
        MessagingAttributes.DESTINATION_NAME,
        context.topic());
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(OutboxSendContext context) {
    KeyValues values = KeyValues.empty();
    String id = context.eventId();
    if (id != null) {
      values = values.and(MessagingAttributes.MESSAGE_ID, id);
    }
    RecordMetadata m = context.metadata();
    if (m != null) {
      values =
          values.and(MessagingAttributes.DESTINATION_PARTITION_ID, Integer.toString(m.partition()));
      if (m.hasOffset()) {
        values = values.and(MessagingAttributes.KAFKA_OFFSET, Long.toString(m.offset()));
      }
    }
    if (context.getError() != null) {
      values = values.and(MessagingAttributes.ERROR_TYPE, context.getError().getClass().getName());
    }
    return values;
  }
}
