package dev.keel.consumer.observation;

import dev.keel.event.Event;
import dev.keel.event.support.KafkaHeaderGetter;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The context of one handler call ({@code process <topic>}, kind {@link Kind#CONSUMER}). Its
 * carrier is the consumed record's headers: a tracing handler extracts the W3C trace context the
 * outbox stored with the event ({@code traceparent}, {@code tracestate}) and makes the process span
 * its child. Header values that are not UTF-8, oversized or duplicated are ignored, so a forged or
 * broken trace header gives a span in a new trace, never a failed record. The observation is
 * current while the handler runs: events it appends continue the trace.
 *
 * <p>Created by the consumer runtime for each handler attempt; not thread-safe.
 */
public class ConsumerProcessContext extends ReceiverContext<Headers> {
  private final ConsumerRecord<byte[], byte[]> record;
  private final Event event;
  private final String group;
  private final String listener;
  private final int attempt;

  /**
   * A context for handling {@code record}.
   *
   * @param record the consumed record, whose headers are the carrier
   * @param event the event read from it
   * @param group the consumer group
   * @param listener the listener's name
   * @param attempt the attempt, 1 for the first
   */
  public ConsumerProcessContext(
      ConsumerRecord<byte[], byte[]> record,
      Event event,
      String group,
      String listener,
      int attempt) {
    super(KafkaHeaderGetter.INSTANCE, Kind.CONSUMER);
    this.record = Objects.requireNonNull(record, "record");
    this.event = Objects.requireNonNull(event, "event");
    this.group = group;
    this.listener = listener;
    this.attempt = attempt;
    setCarrier(record.headers());
  }

  /** The consumed record (do not change it). */
  public ConsumerRecord<byte[], byte[]> record() {
    return record;
  }

  /** The event read from the record. */
  public Event event() {
    return event;
  }

  /** The topic the record was read from. */
  public String topic() {
    return record.topic();
  }

  /** The consumer group. */
  public String group() {
    return group;
  }

  /** The listener's name. */
  public String listener() {
    return listener;
  }

  /** The attempt, 1 for the first; higher after in-place retries or from a delay tier. */
  public int attempt() {
    return attempt;
  }
}
