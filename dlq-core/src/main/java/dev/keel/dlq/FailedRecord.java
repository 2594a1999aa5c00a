package dev.keel.dlq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A consumed record that failed, as raw bytes: it may not even deserialize, so it is not an {@link
 * dev.keel.event.Event}. Adapt a Kafka {@code ConsumerRecord} with {@link
 * dev.keel.dlq.kafka.KafkaFailedRecords#of}.
 *
 * <p>Immutable and thread-safe: byte arrays are copied in and out.
 *
 * @param topic the topic it was consumed from
 * @param partition its partition
 * @param offset its offset
 * @param key the key bytes, or null
 * @param value the value bytes, or null (tombstone)
 * @param headers its headers in order, duplicates kept
 */
public record FailedRecord(
    String topic, int partition, long offset, byte[] key, byte[] value, List<Header> headers) {

  /** Validates and copies. */
  public FailedRecord {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("FailedRecord.partition must be >= 0, was " + partition);
    }
    key = key == null ? null : key.clone();
    value = value == null ? null : value.clone();
    headers = Collections.unmodifiableList(new ArrayList<>(headers == null ? List.of() : headers));
  }

  /** A copy of the key bytes, or null. */
  @Override
  public byte[] key() {
    return key == null ? null : key.clone();
  }

  /** A copy of the value bytes, or null. */
  @Override
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  /** The key as UTF-8 text (malformed bytes replaced), or null for an unkeyed record. */
  public String keyText() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The value of the last header with this name, or null. */
  public byte[] lastHeader(String name) {
    byte[] found = null;
    for (Header h : headers) {
      if (h.name().equals(name)) {
        found = h.value();
      }
    }
    return found;
  }

  /** Names the record without its key, value or headers. */
  @Override
  public String toString() {
    return "FailedRecord{" + topic + "-" + partition + "@" + offset + "}";
  }

  /**
   * The value of a header that appears exactly once with at most {@link
   * dev.keel.event.EventHeaders#MAX_VALUE_BYTES} bytes, as UTF-8 text; null when it is absent,
   * repeated or oversized. Inbound headers are untrusted: this is how Keel reads its own.
   *
   * @param name the header name
   */
  public String singleHeader(String name) {
    String found = null;
    int count = 0;
    for (Header h : headers) {
      if (h.name().equals(name)) {
        count++;
        byte[] v = h.value;
        found =
            v == null || v.length > dev.keel.event.EventHeaders.MAX_VALUE_BYTES
                ? null
                : new String(v, StandardCharsets.UTF_8);
      }
    }
    return count == 1 ? found : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FailedRecord
        && ((FailedRecord) o).topic.equals(topic)
        && ((FailedRecord) o).partition == partition
        && ((FailedRecord) o).offset == offset;
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  /**
   * One record header. Immutable: the value is copied.
   *
   * @param name the header name
   * @param value the value bytes, or null
   */
  public record Header(String name, byte[] value) {
    /** Validates and copies. */
    public Header {
      Objects.requireNonNull(name, "name");
      value = value == null ? null : value.clone();
    }

    /** A header with a UTF-8 value. */
    public static Header of(String name, String value) {
      return new Header(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the value, or null. */
    @Override
    public byte[] value() {
      return value == null ? null : value.clone();
    }

    /** The value as UTF-8 text (malformed bytes replaced), or null. */
    public String text() {
      return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Header
          && ((Header) o).name.equals(name)
          && java.util.Arrays.equals(((Header) o).value, value);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + java.util.Arrays.hashCode(value);
    }

    /** The name only: values may carry personal data. */
    @Override
    public String toString() {
      return "Header{" + name + "}";
    }
  }
}
