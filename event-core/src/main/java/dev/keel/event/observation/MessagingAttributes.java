package dev.keel.event.observation;

/**
 * Key names and values of the OpenTelemetry messaging semantic conventions that Keel's observations
 * carry ({@code create <topic>} at append, {@code send <topic>} at relay publish, {@code process
 * <topic>} around a handler). Custom observation conventions can use these names to stay compatible
 * with tracing back ends.
 */
public final class MessagingAttributes {
  /** {@code messaging.system}: always {@value #KAFKA}. Low cardinality. */
  public static final String SYSTEM = "messaging.system";

  /** The value of {@link #SYSTEM}. */
  public static final String KAFKA = "kafka";

  /** {@code messaging.operation.type}: {@code create}, {@code send} or {@code process}. Low. */
  public static final String OPERATION_TYPE = "messaging.operation.type";

  /** {@code messaging.operation.name}: {@code append}, {@code send} or {@code process}. Low. */
  public static final String OPERATION_NAME = "messaging.operation.name";

  /** {@code messaging.destination.name}: the topic. Low cardinality. */
  public static final String DESTINATION_NAME = "messaging.destination.name";

  /** {@code messaging.kafka.consumer.group}: the consumer group (a bounded set). Low. */
  public static final String KAFKA_CONSUMER_GROUP = "messaging.kafka.consumer.group";

  /** {@code messaging.message.id}: Keel's event id ({@code keel-event-id}). High cardinality. */
  public static final String MESSAGE_ID = "messaging.message.id";

  /**
   * {@code messaging.kafka.message.key}: the record key. Keel's default conventions never emit it
   * (keys are often customer or order ids, personal data that a hash does not anonymize); a custom
   * convention may add it.
   */
  public static final String KAFKA_MESSAGE_KEY = "messaging.kafka.message.key";

  /** {@code messaging.destination.partition.id}: the partition, once known. High cardinality. */
  public static final String DESTINATION_PARTITION_ID = "messaging.destination.partition.id";

  /** {@code messaging.kafka.offset}: the record's offset, once known. High cardinality. */
  public static final String KAFKA_OFFSET = "messaging.kafka.offset";

  /** {@code error.type}: the class name of the error that ended the operation. High cardinality. */
  public static final String ERROR_TYPE = "error.type";

  /** {@link #OPERATION_TYPE} of an append to the outbox. */
  public static final String CREATE = "create";

  /** {@link #OPERATION_TYPE} and {@link #OPERATION_NAME} of a relay publish. */
  public static final String SEND = "send";

  /** {@link #OPERATION_TYPE} and {@link #OPERATION_NAME} of a handler call. */
  public static final String PROCESS = "process";

  /** {@link #OPERATION_NAME} of an append to the outbox. */
  public static final String APPEND = "append";

  private MessagingAttributes() {}
}
