package dev.keel.consumer.observation;

import dev.keel.event.observation.MessagingAttributes;
import io.micrometer.common.KeyValues;

/**
 * The default handler convention: name {@value #NAME}, contextual (span) name {@code process
 * <topic>}; low-cardinality {@code messaging.system=kafka}, {@code
 * messaging.operation.type=process}, {@code messaging.operation.name=process}, {@code
 * messaging.destination.name=<topic>}, {@code messaging.kafka.consumer.group=<group>};
 * high-cardinality {@code messaging.message.id=<event id>}, {@code
 * messaging.destination.partition.id}, {@code messaging.kafka.offset} and, after a failure, {@code
 * error.type}. The record key is left out on purpose (see {@link
 * MessagingAttributes#KAFKA_MESSAGE_KEY}). Stateless; extend it to add key values.
 */
public class DefaultConsumerProcessObservationConvention
    implements ConsumerProcessObservationConvention {
  /** The shared instance. */
  public static final DefaultConsumerProcessObservationConvention INSTANCE =
      new DefaultConsumerProcessObservationConvention();

  /** The observation's name (and the name of the timer a meter handler records). */
  public static final String NAME = "keel.consumer.process";

  /** For subclasses; use {@link #INSTANCE} otherwise. */
  public DefaultConsumerProcessObservationConvention() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public String getContextualName(ConsumerProcessContext context) {
    return MessagingAttributes.PROCESS + " " + context.topic();
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(ConsumerProcessContext context) {
    return KeyValues.of(
        MessagingAttributes.SYSTEM,
        MessagingAttributes.KAFKA,
        MessagingAttributes.OPERATION_TYPE,
        MessagingAttributes.PROCESS,
        MessagingAttributes.OPERATION_NAME,
        MessagingAttributes.PROCESS,
        MessagingAttributes.DESTINATION_NAME,
        context.topic(),
        MessagingAttributes.KAFKA_CONSUMER_GROUP,
        context.group() == null ? "" : context.group());
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(ConsumerProcessContext context) {
    KeyValues values =
        KeyValues.of(
            MessagingAttributes.MESSAGE_ID,
            context.event().id().toString(),
            MessagingAttributes.DESTINATION_PARTITION_ID,
            Integer.toString(context.record().partition()),
            MessagingAttributes.KAFKA_OFFSET,
            Long.toString(context.record().offset()));
    if (context.getError() != null) {
      values = values.and(MessagingAttributes.ERROR_TYPE, context.getError().getClass().getName());
    }
    return values;
  }
}
