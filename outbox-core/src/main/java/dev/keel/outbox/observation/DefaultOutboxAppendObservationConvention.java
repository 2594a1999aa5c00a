package dev.keel.outbox.observation;

import dev.keel.event.observation.MessagingAttributes;
import io.micrometer.common.KeyValues;

/**
 * The default append convention: name {@value #NAME}, contextual (span) name {@code create
 * <topic>}; low-cardinality {@code messaging.system=kafka}, {@code
 * messaging.operation.type=create}, {@code messaging.operation.name=append}, {@code
 * messaging.destination.name=<topic>}; high-cardinality {@code messaging.message.id=<event id>}
 * and, after a failure, {@code error.type}. The record key is left out on purpose (see {@link
 * MessagingAttributes#KAFKA_MESSAGE_KEY}). Stateless; extend it to add key values.
 */
public class DefaultOutboxAppendObservationConvention implements OutboxAppendObservationConvention {
  /** The shared instance. */
  public static final DefaultOutboxAppendObservationConvention INSTANCE =
      new DefaultOutboxAppendObservationConvention();

  /** The observation's name (and the name of the timer a meter handler records). */
  public static final String NAME = "keel.outbox.append";

  /** For subclasses; use {@link #INSTANCE} otherwise. */
  public DefaultOutboxAppendObservationConvention() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public String getContextualName(OutboxAppendContext context) {
    return MessagingAttributes.CREATE + " " + context.topic();
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(OutboxAppendContext context) {
    return KeyValues.of(
        MessagingAttributes.SYSTEM,
        MessagingAttributes.KAFKA,
        MessagingAttributes.OPERATION_TYPE,
        MessagingAttributes.CREATE,
        MessagingAttributes.OPERATION_NAME,
        MessagingAttributes.APPEND,
        MessagingAttributes.DESTINATION_NAME,
        context.topic());
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(OutboxAppendContext context) {
    KeyValues values =
        KeyValues.of(MessagingAttributes.MESSAGE_ID, context.event().id().toString());
    if (context.getError() != null) {
      values = values.and(MessagingAttributes.ERROR_TYPE, context.getError().getClass().getName());
    }
    return values;
  }
}
