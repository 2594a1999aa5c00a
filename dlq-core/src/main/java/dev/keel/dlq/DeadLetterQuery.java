package dev.keel.dlq;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A filter over dead letters: by id, topic, consumer group, reason, key, time window ({@code
 * createdAt} in {@code [from, to)}) and status, with a limit. Unset criteria match everything.
 *
 * <pre>{@code
 * DeadLetterQuery q = DeadLetterQuery.builder()
 *     .topic("orders").group("billing").reason(FailureClass.VALIDATION)
 *     .from(Instant.parse("2026-11-27T00:00:00Z")).limit(50).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class DeadLetterQuery {
  /** The default limit. */
  public static final int DEFAULT_LIMIT = 100;

  /** The largest limit. */
  public static final int MAX_LIMIT = 10_000;

  private final Long id;
  private final String topic;
  private final String group;
  private final FailureClass reason;
  private final String key;
  private final Instant from;
  private final Instant to;
  private final DeadLetterStatus status;
  private final long afterId;
  private final int limit;
  private final boolean limited;

  private DeadLetterQuery(Builder b) {
    this.id = b.id;
    this.topic = b.topic;
    this.group = b.group;
    this.reason = b.reason;
    this.key = b.key;
    this.from = b.from;
    this.to = b.to;
    this.status = b.status;
    this.afterId = b.afterId;
    this.limit = b.limit;
    this.limited = b.limited;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Everything, up to the default limit. */
  public static DeadLetterQuery all() {
    return builder().build();
  }

  /** Exactly one dead letter. */
  public static DeadLetterQuery byId(long id) {
    return builder().id(id).build();
  }

  /** A builder starting from this query. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.topic = topic;
    b.group = group;
    b.reason = reason;
    b.key = key;
    b.from = from;
    b.to = to;
    b.status = status;
    b.afterId = afterId;
    b.limit = limit;
    b.limited = limited;
    return b;
  }

  /** The id, if filtered by id. */
  public Optional<Long> id() {
    return Optional.ofNullable(id);
  }

  /** The source topic, if filtered. */
  public Optional<String> topic() {
    return Optional.ofNullable(topic);
  }

  /** The consumer group, if filtered. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** The reason, if filtered. */
  public Optional<FailureClass> reason() {
    return Optional.ofNullable(reason);
  }

  /** The key (UTF-8 text), if filtered. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** The inclusive start of the time window, if set. */
  public Optional<Instant> from() {
    return Optional.ofNullable(from);
  }

  /** The exclusive end of the time window, if set. */
  public Optional<Instant> to() {
    return Optional.ofNullable(to);
  }

  /** The status, if filtered. */
  public Optional<DeadLetterStatus> status() {
    return Optional.ofNullable(status);
  }

  /** Only ids above this one (paging); 0 by default. */
  public long afterId() {
    return afterId;
  }

  /** The most rows returned. */
  public int limit() {
    return limit;
  }

  /** Whether the limit was set explicitly (replay and discard then stop there). */
  public boolean limited() {
    return limited;
  }

  /** The filter in words, for the audit trail (the key is included: operators chose it). */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (id != null) {
      parts.add("id=" + id);
    }
    if (topic != null) {
      parts.add("topic=" + topic);
    }
    if (group != null) {
      parts.add("group=" + group);
    }
    if (reason != null) {
      parts.add("reason=" + reason.tag());
    }
    if (key != null) {
      parts.add("key=" + dev.keel.event.support.Values.quote(key));
    }
    if (from != null) {
      parts.add("from=" + from);
    }
    if (to != null) {
      parts.add("to=" + to);
    }
    if (status != null) {
      parts.add("status=" + status);
    }
    if (afterId > 0) {
      parts.add("afterId=" + afterId);
    }
    if (limited) {
      parts.add("limit=" + limit);
    }
    return parts.isEmpty() ? "all" : String.join(" ", parts);
  }

  @Override
  public String toString() {
    return "DeadLetterQuery{" + describe() + "}";
  }

  /** Builds a {@link DeadLetterQuery}. Not thread-safe. */
  public static final class Builder {
    private Long id;
    private String topic;
    private String group;
    private FailureClass reason;
    private String key;
    private Instant from;
    private Instant to;
    private DeadLetterStatus status;
    private long afterId;
    private int limit = DEFAULT_LIMIT;
    private boolean limited;

    private Builder() {}

    /** Exactly this dead letter. */
    public Builder id(Long id) {
      this.id = id;
      return this;
    }

    /** The source topic. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The consumer group. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** The failure class. */
    public Builder reason(FailureClass reason) {
      this.reason = reason;
      return this;
    }

    /** The record key, as UTF-8 text. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /** Dead-lettered at or after this instant. */
    public Builder from(Instant from) {
      this.from = from;
      return this;
    }

    /** Dead-lettered before this instant. */
    public Builder to(Instant to) {
      this.to = to;
      return this;
    }

    /** The status. */
    public Builder status(DeadLetterStatus status) {
      this.status = status;
      return this;
    }

    /** Only ids above this one. */
    public Builder afterId(long afterId) {
      this.afterId = afterId;
      return this;
    }

    /** At most this many rows, from 1 to {@link #MAX_LIMIT}. */
    public Builder limit(int limit) {
      this.limit = limit;
      this.limited = true;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the invalid property
     */
    public DeadLetterQuery build() {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new KeelConfigurationException(
            "DeadLetterQuery.limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
      }
      if (from != null && to != null && !from.isBefore(to)) {
        throw new KeelConfigurationException(
            "DeadLetterQuery.from must be before to, was " + from + " and " + to);
      }
      if (afterId < 0) {
        throw new KeelConfigurationException(
            "DeadLetterQuery.afterId must not be negative, was " + afterId);
      }
      return new DeadLetterQuery(this);
    }
  }
}
