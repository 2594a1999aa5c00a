package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.dlq.kafka.KafkaRecordSink;
import dev.keel.event.FailureAction;
import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.Failure;
import dev.keel.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Forwards failed records to {@code <topic>.retry.<n>}. */
public final class DefaultRetryTiers implements RetryTiers {
  private final List<Duration> delays;
  private final RetryPolicy policy;
  private final boolean policyGiven;
  private final boolean createTopics;
  private final Clock clock;
  private final KafkaRecordSink sink;

  private DefaultRetryTiers(Builder b) {
    this.delays = List.copyOf(b.delays);
    this.policy = b.policy == null ? RetryPolicy.defaults() : b.policy;
    this.policyGiven = b.policy != null;
    this.createTopics = b.createTopics;
    this.clock = b.clock;
    this.sink = new KafkaRecordSink(b.kafka, b.timeout);
  }

  @Override
  public List<Duration> delays() {
    return delays;
  }

  @Override
  public String sourceOf(String topic) {
    return RetryTiers.tierOf(topic, delays.size())
        .map(t -> topic.substring(0, topic.lastIndexOf(RETRY_INFIX)))
        .orElse(topic);
  }

  @Override
  public void ensureTopics(String sourceTopic) {
    if (createTopics) {
      for (int n = 1; n <= delays.size(); n++) {
        sink.ensureTopic(sourceTopic, RetryTiers.tierTopic(sourceTopic, n), true);
      }
    }
  }

  @Override
  public TierRoute route(FailedRecord record, Failure failure) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(failure, "failure");
    int tier = RetryTiers.tierOf(record.topic(), delays.size()).orElse(0);
    int attempts = tier + 1; // the source attempt plus one per tier; headers are not trusted
    String source = sourceOf(record.topic());
    FailedRecord original = tier == 0 ? record : originalOf(record, source, tier);
    Instant now = clock.instant();
    Instant first = tier == 0 ? failure.firstFailure() : firstFailure(record, failure, now);
    Failure counted =
        new Failure(failure.group(), failure.reason(), failure.error(), attempts, first, now);
    boolean retried = policy.action(failure.reason()) == FailureAction.RETRY;
    int maxTier = delays.size();
    if (policyGiven && policy.maxAttempts(failure.reason()) != RetryPolicy.UNBOUNDED) {
      maxTier = Math.min(maxTier, policy.maxAttempts(failure.reason()) - 1);
    }
    if (!retried || tier >= maxTier) {
      return new TierRoute(false, null, 0, original, counted);
    }
    int next = tier + 1;
    String topic = RetryTiers.tierTopic(source, next);
    if (createTopics) {
      sink.ensureTopic(source, topic, true);
    }
    List<FailedRecord.Header> headers = new ArrayList<>();
    for (FailedRecord.Header h : record.headers()) {
      if (!DeadLetterHeaders.isDeadLetterHeader(h.name())) {
        headers.add(h);
      }
    }
    Instant due = now.plus(delays.get(next - 1));
    // the identity travels as a whole: a tier's own position is never passed off as the source's
    add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, original.topic());
    add(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(original.partition()));
    add(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(original.offset()));
    add(headers, DeadLetterHeaders.REASON, failure.reason().tag());
    if (failure.error() != null) {
      add(headers, DeadLetterHeaders.EXCEPTION, failure.error().getClass().getName());
    }
    add(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
    add(headers, DeadLetterHeaders.FIRST_FAILURE, first.toString());
    add(headers, DeadLetterHeaders.LAST_FAILURE, now.toString());
    add(headers, DeadLetterHeaders.GROUP, failure.group());
    add(headers, DeadLetterHeaders.DUE_AT, Long.toString(due.toEpochMilli()));
    sink.send(topic, record.key(), record.value(), headers, now);
    return new TierRoute(true, topic, next, original, counted);
  }

  /**
   * The original coordinates from the tier record's headers: the source topic, or an earlier tier
   * of it when the source position was already unknown there, with a bounded partition and offset.
   * When they are missing or unusable the record keeps its own tier topic, partition and offset, so
   * it is never attributed to a position of the source topic that may hold another record.
   */
  private static FailedRecord originalOf(FailedRecord record, String source, int tier) {
    String topic = single(record, DeadLetterHeaders.ORIGINAL_TOPIC);
    int partition = (int) bounded(record, DeadLetterHeaders.ORIGINAL_PARTITION, 100_000, -1);
    long offset = bounded(record, DeadLetterHeaders.ORIGINAL_OFFSET, Long.MAX_VALUE, -1);
    if (partition < 0 || offset < 0 || !isOrigin(topic, source, tier)) {
      topic = record.topic();
      partition = record.partition();
      offset = record.offset();
    }
    List<FailedRecord.Header> headers = new ArrayList<>();
    for (FailedRecord.Header h : record.headers()) {
      if (!DeadLetterHeaders.isDeadLetterHeader(h.name())) {
        headers.add(h);
      }
    }
    return new FailedRecord(topic, partition, offset, record.key(), record.value(), headers);
  }

  /** The source topic itself, or one of its tiers before this one. */
  private static boolean isOrigin(String topic, String source, int tier) {
    if (source.equals(topic)) {
      return true;
    }
    for (int n = 1; n < tier; n++) {
      if (RetryTiers.tierTopic(source, n).equals(topic)) {
        return true;
      }
    }
    return false;
  }

  private static Instant firstFailure(FailedRecord record, Failure failure, Instant now) {
    String text = single(record, DeadLetterHeaders.FIRST_FAILURE);
    try {
      Instant t = text == null ? null : Instant.parse(text);
      // bounded: never in the future, never before the failure the caller saw minus a year
      if (t != null && !t.isAfter(now) && t.isAfter(now.minus(Duration.ofDays(366)))) {
        return t;
      }
    } catch (RuntimeException e) {
      // forged or garbled: fall through
    }
    return failure.firstFailure();
  }

  private static long bounded(FailedRecord record, String name, long max, long fallback) {
    String text = single(record, name);
    if (text == null
        || text.isEmpty()
        || text.length() > 19
        || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return fallback;
    }
    try {
      long v = Long.parseLong(text);
      return v <= max ? v : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String single(FailedRecord record, String name) {
    return record.singleHeader(name);
  }

  private static void add(List<FailedRecord.Header> headers, String name, String value) {
    headers.add(FailedRecord.Header.of(name, value));
  }

  @Override
  public void close() {
    sink.close();
  }

  /** The builder. */
  public static final class Builder implements RetryTiers.Builder {
    private Map<String, Object> kafka;
    private List<Duration> delays = List.of();
    private RetryPolicy policy;
    private boolean createTopics = true;
    private Clock clock = Clock.systemUTC();
    private Duration timeout = Duration.ofSeconds(30);

    @Override
    public Builder kafka(Map<String, Object> clientProperties) {
      this.kafka = clientProperties;
      return this;
    }

    @Override
    public Builder delays(Duration... delays) {
      this.delays = delays == null ? null : java.util.Arrays.asList(delays.clone());
      return this;
    }

    @Override
    public Builder policy(RetryPolicy policy) {
      this.policy = policy;
      return this;
    }

    @Override
    public Builder createTopics(boolean createTopics) {
      this.createTopics = createTopics;
      return this;
    }

    @Override
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "RetryTiers.clock");
      return this;
    }

    @Override
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    @Override
    public RetryTiers build() {
      if (kafka == null || !kafka.containsKey("bootstrap.servers")) {
        throw new KeelConfigurationException("RetryTiers.kafka must contain bootstrap.servers");
      }
      if (delays == null || delays.isEmpty() || delays.size() > 20) {
        throw new KeelConfigurationException(
            "RetryTiers.delays must hold 1 to 20 delays, was "
                + (delays == null ? "null" : delays.size()));
      }
      for (int i = 0; i < delays.size(); i++) {
        Duration d = delays.get(i);
        if (d == null
            || d.compareTo(Duration.ofMillis(1)) < 0
            || d.compareTo(Duration.ofDays(1)) > 0) {
          throw new KeelConfigurationException(
              "RetryTiers.delays[" + i + "] must be between 1 ms and 1 day, was " + d);
        }
      }
      if (timeout == null
          || timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new KeelConfigurationException(
            "RetryTiers.timeout must be between 1 s and 10 min, was " + timeout);
      }
      return new DefaultRetryTiers(this);
    }
  }
}
