package dev.keel.outbox.observation;

import dev.keel.event.EventHeaders;
import dev.keel.event.support.KafkaHeaderGetter;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * The context of the relay publishing one outbox row ({@code send <topic>}, kind {@link
 * Kind#PRODUCER}). The relay does not start a trace of its own: it continues the one stored with
 * the row. So this is a {@link ReceiverContext} whose carrier is the outgoing record's headers (the
 * row's stored headers, {@code traceparent} and {@code tracestate} among them): a tracing handler
 * extracts the append span's context from them and makes the send span its child. The record keeps
 * the stored trace context, so consumers continue the append span's context too (the message's
 * creation context, as the OpenTelemetry messaging conventions ask).
 *
 * <p>Header values are read through a getter that ignores values that are not UTF-8, oversized or
 * duplicated. Created by the relay for each record; the metadata is set by the producer's thread
 * before the observation stops.
 */
public class OutboxSendContext extends ReceiverContext<Headers> {
  private final ProducerRecord<byte[], byte[]> record;
  private volatile RecordMetadata metadata;

  /**
   * A context for sending {@code record}, whose headers are the carrier.
   *
   * @param record the record the relay hands to the producer
   */
  public OutboxSendContext(ProducerRecord<byte[], byte[]> record) {
    super(KafkaHeaderGetter.INSTANCE, Kind.PRODUCER);
    this.record = Objects.requireNonNull(record, "record");
    setCarrier(record.headers());
  }

  /** The record being sent (do not change it). */
  public ProducerRecord<byte[], byte[]> record() {
    return record;
  }

  /** The destination topic. */
  public String topic() {
    return record.topic();
  }

  /** The Keel event id from the {@code keel-event-id} header, or null. */
  public String eventId() {
    return KafkaHeaderGetter.INSTANCE.get(record.headers(), EventHeaders.EVENT_ID);
  }

  /** Where Kafka stored the record, once acknowledged; null before or after a failure. */
  public RecordMetadata metadata() {
    return metadata;
  }

  /**
   * Sets the acknowledgement's metadata; called by the relay.
   *
   * @param metadata the acknowledged record's partition and offset
   */
  public void metadata(RecordMetadata metadata) {
    this.metadata = metadata;
  }
}
