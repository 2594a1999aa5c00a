package dev.keel.event.kafka;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.MalformedEventException;
import dev.keel.event.support.Utf8;
import dev.keel.event.support.Values;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps events to Kafka records and back under the header contract of {@link EventHeaders}.
 *
 * <p>Inbound headers are untrusted: every {@code keel-*} envelope header must appear exactly once,
 * be valid UTF-8 within {@link EventHeaders#MAX_VALUE_BYTES}, and parse; otherwise {@link #toEvent}
 * throws {@link MalformedEventException} naming the header, topic, partition and offset. No header
 * ever selects a class. Thread-safe (stateless).
 */
public final class KafkaRecords {
  private static final int MAX_CONTRACT_VERSION = 1_000_000;

  private KafkaRecords() {}

  /**
   * The record to publish: key and value bytes, envelope headers, then the event's own headers.
   *
   * @param event the event
   * @return a record for a {@code byte[]}/{@code byte[]} producer
   */
  public static ProducerRecord<byte[], byte[]> toProducerRecord(Event event) {
    byte[] key = event.key().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
    return new ProducerRecord<>(event.topic(), null, key, event.payload(), headersOf(event));
  }

  /**
   * The envelope and extra headers of an event, as Kafka headers.
   *
   * @param event the event
   */
  public static Headers headersOf(Event event) {
    RecordHeaders headers = new RecordHeaders();
    add(headers, EventHeaders.EVENT_ID, event.id().toString());
    add(headers, EventHeaders.EVENT_TYPE, event.type());
    add(headers, EventHeaders.CONTRACT_VERSION, Integer.toString(event.contractVersion()));
    add(headers, EventHeaders.OCCURRED_AT, event.occurredAt().toString());
    add(headers, EventHeaders.SOURCE, event.source());
    add(headers, EventHeaders.CONTENT_TYPE, event.contentType());
    event.traceParent().ifPresent(t -> add(headers, EventHeaders.TRACEPARENT, t));
    for (Map.Entry<String, String> h : event.headers().entrySet()) {
      add(headers, h.getKey(), h.getValue());
    }
    return headers;
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Reads an event from a consumed record.
   *
   * @param record a record with {@code byte[]} key and value
   * @return the event; {@link Event#topic()} is the record's topic
   * @throws MalformedEventException when the header contract is broken
   */
  public static Event toEvent(ConsumerRecord<byte[], byte[]> record) {
    Where where = new Where(record.topic(), record.partition(), record.offset());
    Headers headers = record.headers();
    Event.Builder b = Event.builder();
    b.topic(record.topic());
    String id = required(headers, EventHeaders.EVENT_ID, where);
    try {
      UUID uuid = UUID.fromString(id);
      if (!uuid.toString().equals(id.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("not canonical");
      }
      b.id(uuid);
    } catch (IllegalArgumentException e) {
      throw malformed(EventHeaders.EVENT_ID, "is not a UUID: " + Values.quote(id), where);
    }
    String type = required(headers, EventHeaders.EVENT_TYPE, where);
    if (!Event.TYPE_PATTERN.matcher(type).matches()) {
      throw malformed(
          EventHeaders.EVENT_TYPE, "is not an event type: " + Values.quote(type), where);
    }
    b.type(type);
    String version = required(headers, EventHeaders.CONTRACT_VERSION, where);
    b.contractVersion(parseVersion(version, where));
    String occurred = required(headers, EventHeaders.OCCURRED_AT, where);
    try {
      b.occurredAt(Instant.parse(occurred));
    } catch (DateTimeParseException e) {
      throw malformed(
          EventHeaders.OCCURRED_AT, "is not an ISO-8601 instant: " + Values.quote(occurred), where);
    }
    b.source(required(headers, EventHeaders.SOURCE, where));
    String contentType = optional(headers, EventHeaders.CONTENT_TYPE, where);
    if (contentType != null) {
      b.contentType(contentType);
    }
    // Trace context is untrusted and never needed to process: a duplicated, oversized, non-UTF-8
    // or malformed traceparent is dropped rather than failing the record.
    b.traceParent(traceParent(headers));
    if (record.key() != null) {
      b.key(decode(record.key(), null, "record key", where));
    }
    for (Header h : headers) {
      if (!EventHeaders.ENVELOPE.contains(h.key())) {
        b.header(h.key(), h.value() == null ? "" : decodeLenient(h.value()));
      }
    }
    b.payload(record.value() == null ? new byte[0] : record.value());
    try {
      return b.build();
    } catch (KeelConfigurationException e) {
      throw new MalformedEventException(
          null, "Record " + where + " is not a valid event: " + e.getMessage());
    }
  }

  /**
   * The value of a header that must appear at most once, or null when absent.
   *
   * @throws MalformedEventException when repeated, too long or not UTF-8
   */
  public static String singleHeader(
      Headers headers, String name, String topic, int partition, long offset) {
    return optional(headers, name, new Where(topic, partition, offset));
  }

  private static int parseVersion(String version, Where where) {
    try {
      int v = Integer.parseInt(version);
      if (v < 1 || v > MAX_CONTRACT_VERSION) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw malformed(
          EventHeaders.CONTRACT_VERSION,
          "must be an integer from 1 to " + MAX_CONTRACT_VERSION + ", was " + Values.quote(version),
          where);
    }
  }

  private static String required(Headers headers, String name, Where where) {
    String value = optional(headers, name, where);
    if (value == null || value.isEmpty()) {
      throw malformed(name, "is missing", where);
    }
    return value;
  }

  /** The one well-formed UTF-8 {@code traceparent}, or null (none, several, or unreadable). */
  private static String traceParent(Headers headers) {
    Header found = null;
    for (Header h : headers.headers(EventHeaders.TRACEPARENT)) {
      if (found != null) {
        return null; // W3C: several traceparent values are no trace context at all
      }
      found = h;
    }
    if (found == null
        || found.value() == null
        || found.value().length > EventHeaders.MAX_VALUE_BYTES) {
      return null;
    }
    return Utf8.decodeStrict(found.value());
  }

  private static String optional(Headers headers, String name, Where where) {
    List<Header> found = new ArrayList<>(1);
    headers.headers(name).forEach(found::add);
    if (found.isEmpty()) {
      return null;
    }
    if (found.size() > 1) {
      throw malformed(name, "appears " + found.size() + " times", where);
    }
    byte[] value = found.get(0).value();
    if (value == null) {
      return null;
    }
    if (value.length > EventHeaders.MAX_VALUE_BYTES) {
      throw malformed(
          name, "is " + value.length + " bytes, over " + EventHeaders.MAX_VALUE_BYTES, where);
    }
    return decode(value, name, "header " + name, where);
  }

  private static String decode(byte[] bytes, String header, String what, Where where) {
    String text = Utf8.decodeStrict(bytes);
    if (text == null) {
      throw new MalformedEventException(
          header, "Record " + where + ": " + what + " is not valid UTF-8");
    }
    return text;
  }

  private static String decodeLenient(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static MalformedEventException malformed(String header, String problem, Where where) {
    return new MalformedEventException(
        header, "Record " + where + ": header " + header + " " + problem);
  }

  private static final class Where {
    final String topic;
    final int partition;
    final long offset;

    Where(String topic, int partition, long offset) {
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
    }

    @Override
    public String toString() {
      return topic + "-" + partition + "@" + offset;
    }
  }
}
