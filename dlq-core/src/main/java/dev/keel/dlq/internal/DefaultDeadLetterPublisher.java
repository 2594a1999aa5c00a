package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.kafka.KafkaRecordSink;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.event.EventHeaders;
import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.Failure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Records a dead letter in the store (and blocks the key if ordered), then publishes it to {@code
 * <topic>.dlq} and records where it landed. Key, payload, message and headers pass the {@link
 * PayloadRedactor} first; the key's identity (blocking, parking) stays the original key's hash. The
 * row comes first: a publish retried after any failure finds it, and sends to {@code <topic>.dlq}
 * only while no copy is recorded, so retries do not multiply copies (one more copy at most when the
 * position could not be recorded after a send).
 */
public final class DefaultDeadLetterPublisher implements DeadLetterPublisher {
  private static final int MAX_MESSAGE_BYTES = EventHeaders.MAX_VALUE_BYTES;
  private static final int MAX_STORED_STACK_CHARS = 64 * 1024;

  private final KafkaRecordSink sink;
  private final JdbcDeadLetterStore store;
  private final boolean ordered;
  private final boolean stackTraces;
  private final PayloadRedactor redactor;
  private final boolean createTopics;
  private final List<DeadLetterListener> listeners;
  private final Clock clock;

  private DefaultDeadLetterPublisher(Builder b) {
    this.store = JdbcDeadLetterStore.over(b.store);
    this.ordered = b.ordered;
    this.stackTraces = b.stackTraces;
    this.redactor = b.redactor;
    this.createTopics = b.createTopics;
    this.listeners = List.copyOf(b.listeners);
    this.clock = b.clock;
    this.sink = new KafkaRecordSink(b.kafka, b.timeout);
  }

  @Override
  public DeadLetter publish(FailedRecord record, Failure failure) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(failure, "failure");
    byte[] payload = redactor.redact(record, record.value());
    RedactedKey key = RedactedKey.of(redactor, record);
    Throwable error = failure.error();
    String exceptionClass = error == null ? null : error.getClass().getName();
    String message = error == null ? null : message(error);
    String stack = stackTraces && error != null ? stackTrace(error) : null;

    List<FailedRecord.Header> original = new ArrayList<>();
    for (FailedRecord.Header h : record.headers()) {
      if (DeadLetterHeaders.isDeadLetterHeader(h.name())) {
        continue; // inbound keel-dlq-* are replaced, never accumulated or trusted
      }
      if (h.name().startsWith("keel-") || h.name().equals("traceparent")) {
        original.add(h); // the envelope: replay and deduplication need it as it was
        continue;
      }
      byte[] value = h.value() == null ? null : h.value().clone();
      byte[] kept = redactor.redactHeader(record, h.name(), value);
      if (kept != null || h.value() == null) {
        original.add(new FailedRecord.Header(h.name(), kept));
      }
    }
    List<FailedRecord.Header> out = new ArrayList<>(original);
    add(out, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
    add(out, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(record.partition()));
    add(out, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(record.offset()));
    add(out, DeadLetterHeaders.REASON, failure.reason().tag());
    if (exceptionClass != null) {
      add(out, DeadLetterHeaders.EXCEPTION, exceptionClass);
    }
    if (message != null) {
      add(out, DeadLetterHeaders.EXCEPTION_MESSAGE, message);
    }
    if (stack != null) {
      add(out, DeadLetterHeaders.STACK_TRACE, cut(stack, DeadLetterHeaders.MAX_STACK_TRACE_BYTES));
    }
    add(out, DeadLetterHeaders.ATTEMPTS, Integer.toString(failure.attempts()));
    add(out, DeadLetterHeaders.FIRST_FAILURE, failure.firstFailure().toString());
    add(out, DeadLetterHeaders.LAST_FAILURE, failure.lastFailure().toString());
    add(out, DeadLetterHeaders.GROUP, failure.group());
    if (key.redacted()) {
      add(out, DeadLetterHeaders.KEY_REDACTED, "true");
    }

    String dlqTopic = DeadLetterPublisher.dlqTopic(record.topic());
    sink.ensureTopic(
        record.topic(), dlqTopic, createTopics); // a missing topic fails before the row
    Instant now = clock.instant();
    NewDeadLetter row =
        new NewDeadLetter(
            failure.group(),
            record.topic(),
            record.partition(),
            record.offset(),
            key.key(),
            eventId(record),
            failure.reason(),
            exceptionClass,
            message,
            stack == null
                ? null
                : stack.substring(0, Math.min(stack.length(), MAX_STORED_STACK_CHARS)),
            failure.attempts(),
            failure.firstFailure(),
            failure.lastFailure(),
            now,
            original,
            payload,
            null,
            null,
            null,
            key.hash(),
            key.redacted());
    JdbcDeadLetterStore.Stored stored = store.insert(row, ordered);
    if (!stored.sent()) {
      KafkaRecordSink.Sent sent = sink.send(dlqTopic, key.key(), payload, out);
      if (store.recordSent(stored.letter().id(), sent.topic(), sent.partition(), sent.offset())) {
        // once per dead letter: a repeated publish of the same record is not a new one
        Listeners.fire(listeners, l -> l.onDeadLettered(stored.letter()));
      }
    }
    return stored.letter();
  }

  @Override
  public boolean orderedMode() {
    return ordered;
  }

  @Override
  public boolean parkIfBlocked(String group, FailedRecord record) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(record, "record");
    if (!ordered || record.key() == null) {
      return false;
    }
    boolean parked = store.parkIfBlocked(group, record);
    if (parked) {
      Listeners.fire(listeners, l -> l.onParked(group, record.topic()));
    }
    return parked;
  }

  private String message(Throwable error) {
    String m = error.getMessage();
    if (m == null) {
      return null;
    }
    String redacted = redactor.redactMessage(m);
    return redacted == null ? null : cut(clean(redacted), MAX_MESSAGE_BYTES);
  }

  /** The keel-event-id header, only when it appears once and is a UUID. */
  private static String eventId(FailedRecord record) {
    String found = null;
    int count = 0;
    for (FailedRecord.Header h : record.headers()) {
      if (h.name().equals(EventHeaders.EVENT_ID)) {
        count++;
        found = h.text();
      }
    }
    if (count != 1 || found == null || found.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(found).toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String stackTrace(Throwable error) {
    StringWriter w = new StringWriter();
    error.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return b.toString();
  }

  /** Cuts to at most {@code maxBytes} UTF-8 bytes without splitting a character. */
  static String cut(String s, int maxBytes) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return s;
    }
    int end = maxBytes;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private static void add(List<FailedRecord.Header> headers, String name, String value) {
    headers.add(FailedRecord.Header.of(name, value));
  }

  @Override
  public void close() {
    sink.close();
  }

  /** The builder. */
  public static final class Builder implements DeadLetterPublisher.Builder {
    private Map<String, Object> kafka;
    private DeadLetterStore store;
    private boolean ordered;
    private boolean stackTraces;
    private PayloadRedactor redactor = PayloadRedactor.NONE;
    private boolean createTopics = true;
    private Duration timeout = Duration.ofSeconds(30);
    private final List<DeadLetterListener> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    @Override
    public Builder kafka(Map<String, Object> clientProperties) {
      this.kafka = clientProperties;
      return this;
    }

    @Override
    public Builder store(DeadLetterStore store) {
      this.store = store;
      return this;
    }

    @Override
    public Builder orderedMode(boolean orderedMode) {
      this.ordered = orderedMode;
      return this;
    }

    @Override
    public Builder includeStackTraces(boolean includeStackTraces) {
      this.stackTraces = includeStackTraces;
      return this;
    }

    @Override
    public Builder redactor(PayloadRedactor redactor) {
      this.redactor = redactor;
      return this;
    }

    @Override
    public Builder createTopics(boolean createTopics) {
      this.createTopics = createTopics;
      return this;
    }

    @Override
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    @Override
    public Builder listener(DeadLetterListener listener) {
      listeners.add(Objects.requireNonNull(listener, "DeadLetterPublisher.listener"));
      return this;
    }

    @Override
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "DeadLetterPublisher.clock");
      return this;
    }

    @Override
    public DeadLetterPublisher build() {
      if (kafka == null || !kafka.containsKey("bootstrap.servers")) {
        throw new KeelConfigurationException(
            "DeadLetterPublisher.kafka must contain bootstrap.servers");
      }
      if (store == null) {
        throw new KeelConfigurationException("DeadLetterPublisher.store is required");
      }
      if (redactor == null) {
        throw new KeelConfigurationException(
            "DeadLetterPublisher.redactor must not be null (use PayloadRedactor.NONE)");
      }
      if (timeout == null
          || timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new KeelConfigurationException(
            "DeadLetterPublisher.timeout must be between 1 s and 10 min, was " + timeout);
      }
      return new DefaultDeadLetterPublisher(this);
    }
  }
}
