package dev.keel.dlq;

import dev.keel.dlq.internal.StoredText;
import dev.keel.event.FailureClass;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A dead letter as stored in the {@code keel_dead_letter} table: where the record came from, why it
 * failed, and its (possibly redacted) key, original headers and (possibly redacted) payload.
 *
 * <p>Immutable and thread-safe: byte arrays are copied in and out.
 *
 * @param id the row id
 * @param group the consumer group that failed
 * @param topic the source topic
 * @param partition the source partition
 * @param offset the source offset
 * @param key the key bytes as stored, or null: the record's key, or what {@link
 *     dev.keel.dlq.spi.PayloadRedactor#redactKey} made of it when {@code keyRedacted}
 * @param eventId the {@code keel-event-id} header, when present and a UUID
 * @param reason the failure class
 * @param exceptionClass the last error's class name, or null
 * @param exceptionMessage the last error's message (bounded, redacted), or null
 * @param stackTrace the stack trace when enabled, or null
 * @param attempts the attempts made
 * @param firstFailure when the first attempt failed
 * @param lastFailure when the last attempt failed
 * @param createdAt when it was dead-lettered
 * @param headers the original headers, without any inbound {@code keel-dlq-*} header
 * @param payload the stored payload, or null
 * @param status where it stands
 * @param replayCount how often it was replayed
 * @param keyRedacted whether the redactor changed the key: {@code key} is not the record's key, and
 *     replay refuses the dead letter (it would publish it under another key)
 */
public record DeadLetter(
    long id,
    String group,
    String topic,
    int partition,
    long offset,
    byte[] key,
    String eventId,
    FailureClass reason,
    String exceptionClass,
    String exceptionMessage,
    String stackTrace,
    int attempts,
    Instant firstFailure,
    Instant lastFailure,
    Instant createdAt,
    List<FailedRecord.Header> headers,
    byte[] payload,
    DeadLetterStatus status,
    int replayCount,
    boolean keyRedacted) {

  /** Copies. */
  public DeadLetter {
    Objects.requireNonNull(topic, "topic");
    key = key == null ? null : key.clone();
    payload = payload == null ? null : payload.clone();
    headers = Collections.unmodifiableList(new ArrayList<>(headers));
  }

  /** A dead letter whose key was not redacted. */
  public DeadLetter(
      long id,
      String group,
      String topic,
      int partition,
      long offset,
      byte[] key,
      String eventId,
      FailureClass reason,
      String exceptionClass,
      String exceptionMessage,
      String stackTrace,
      int attempts,
      Instant firstFailure,
      Instant lastFailure,
      Instant createdAt,
      List<FailedRecord.Header> headers,
      byte[] payload,
      DeadLetterStatus status,
      int replayCount) {
    this(
        id,
        group,
        topic,
        partition,
        offset,
        key,
        eventId,
        reason,
        exceptionClass,
        exceptionMessage,
        stackTrace,
        attempts,
        firstFailure,
        lastFailure,
        createdAt,
        headers,
        payload,
        status,
        replayCount,
        false);
  }

  /** A copy of the key, or null. */
  @Override
  public byte[] key() {
    return key == null ? null : key.clone();
  }

  /** A copy of the payload, or null. */
  @Override
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }

  /** The stored key as UTF-8 text (malformed bytes replaced), or null. */
  public String keyText() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /**
   * The key as the table's {@code key_text} holds it and operators see it: the text itself when it
   * is valid UTF-8 without U+0000 and does not start with {@code base64:}, otherwise {@code
   * base64:} and the base64 of the bytes; null for a null key. Nothing is lost or replaced, unlike
   * {@link #keyText()}.
   */
  public String keyShown() {
    return StoredText.key(key);
  }

  /** The event id, when the record carried a valid one. */
  public Optional<String> eventIdIfPresent() {
    return Optional.ofNullable(eventId);
  }

  /** Names the dead letter without key, headers or payload. */
  @Override
  public String toString() {
    return "DeadLetter{id="
        + id
        + ", "
        + topic
        + "-"
        + partition
        + "@"
        + offset
        + ", group="
        + group
        + ", reason="
        + reason.tag()
        + ", status="
        + status
        + (keyRedacted ? ", key redacted" : "")
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter && ((DeadLetter) o).id == id;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }
}
