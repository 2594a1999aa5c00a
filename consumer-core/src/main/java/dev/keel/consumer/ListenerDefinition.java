package dev.keel.consumer;

import dev.keel.consumer.internal.AnnotatedListeners;
import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.EventContracts;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One handler of one event type on one topic for one consumer group: what {@link KeelListener}
 * declares, without annotations.
 *
 * <pre>{@code
 * ListenerDefinition billing = ListenerDefinition.builder()
 *     .topic("orders")
 *     .group("billing")
 *     .eventType("order.placed")
 *     .payloadType(OrderPlaced.class)
 *     .handler(d -> invoices.create(d.connection(), d.<OrderPlaced>payload()))
 *     .build();
 * ConsumerRuntime.builder()...listener(billing).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class ListenerDefinition {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,99}");

  private final String name;
  private final String id;
  private final String topic;
  private final String group;
  private final String eventType;
  private final Class<?> payloadType;
  private final IdempotencyKey idempotencyKey;
  private final Ordering ordering;
  private final int concurrency;
  private final EventHandler handler;

  private ListenerDefinition(Builder b) {
    this.id = b.id;
    this.topic = b.topic;
    this.group = b.group;
    this.eventType = b.eventType;
    this.payloadType = b.payloadType;
    this.idempotencyKey = b.idempotencyKey;
    this.ordering = b.ordering;
    this.concurrency = b.concurrency;
    this.handler = b.handler;
    this.name =
        b.name != null
            ? b.name
            : "listener " + group + "/" + topic + "/" + (eventType == null ? "*" : eventType);
  }

  /** Starts a definition. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The definitions of every {@link KeelListener} method of an object (its class and superclasses),
   * as {@link ConsumerRuntime.Builder#register(Object)} makes them: for a framework that adjusts
   * them (ordering, idempotency key...) before {@link
   * ConsumerRuntime.Builder#listener(ListenerDefinition)}.
   *
   * @param bean an object with annotated methods
   * @param contracts the contracts payload types are inferred and checked against
   * @throws KeelConfigurationException naming the method when one is misconfigured, or when there
   *     is none
   */
  public static List<ListenerDefinition> annotated(Object bean, EventContracts contracts) {
    return AnnotatedListeners.of(bean, contracts);
  }

  /** A builder holding this definition's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.id = id;
    b.topic = topic;
    b.group = group;
    b.eventType = eventType;
    b.payloadType = payloadType;
    b.idempotencyKey = idempotencyKey;
    b.ordering = ordering;
    b.concurrency = concurrency;
    b.handler = handler;
    return b;
  }

  /** The id naming the listener in configuration ({@link KeelListener#id()}), when it has one. */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /** The name used in error messages: the method for annotated listeners. */
  public String name() {
    return name;
  }

  /**
   * The {@link #name()} of the listener an annotated method defines: {@code Class.method(ParamType,
   * ...)} with simple names.
   *
   * @param method a {@link KeelListener} method
   * @return its listener's name
   */
  public static String nameOf(java.lang.reflect.Method method) {
    return AnnotatedListeners.describe(method);
  }

  /** The topic. */
  public String topic() {
    return topic;
  }

  /** The consumer group. */
  public String group() {
    return group;
  }

  /** The event type handled, or empty for every type without a handler of its own. */
  public Optional<String> eventType() {
    return Optional.ofNullable(eventType);
  }

  /** The class payloads are decoded into, or empty for none. */
  public Optional<Class<?>> payloadType() {
    return Optional.ofNullable(payloadType);
  }

  /** The idempotency key. */
  public IdempotencyKey idempotencyKey() {
    return idempotencyKey;
  }

  /** The ordering mode. */
  public Ordering ordering() {
    return ordering;
  }

  /** Worker threads, or 0 for the runtime's default. */
  public int concurrency() {
    return concurrency;
  }

  /** The handler. */
  public EventHandler handler() {
    return handler;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Builds a {@link ListenerDefinition}. Not thread-safe. */
  public static final class Builder {
    private String name;
    private String id;
    private String topic;
    private String group;
    private String eventType;
    private Class<?> payloadType;
    private IdempotencyKey idempotencyKey = IdempotencyKey.eventId();
    private Ordering ordering = Ordering.PARTITION;
    private int concurrency;
    private EventHandler handler;

    private Builder() {}

    /** A name for error messages; derived from group, topic and type by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * An id naming the listener in configuration, lower-case letters, digits and {@code -}; none by
     * default.
     */
    public Builder id(String id) {
      this.id = id == null || id.isEmpty() ? null : id;
      return this;
    }

    /** The topic. Required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The consumer group. Required. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** The event type; null (the default) handles every type without a handler of its own. */
    public Builder eventType(String eventType) {
      this.eventType = eventType;
      return this;
    }

    /** The payload class; null (the default) leaves the payload undecoded. */
    public Builder payloadType(Class<?> payloadType) {
      this.payloadType = payloadType;
      return this;
    }

    /** The idempotency key; {@link IdempotencyKey#eventId()} by default. */
    public Builder idempotencyKey(IdempotencyKey idempotencyKey) {
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    /** Ordering; {@link Ordering#PARTITION} by default. */
    public Builder ordering(Ordering ordering) {
      this.ordering = ordering;
      return this;
    }

    /** Worker threads, 1 to 256, or 0 (the default) for the runtime's default. */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** The handler. Required. */
    public Builder handler(EventHandler handler) {
      this.handler = handler;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the listener and the property
     */
    public ListenerDefinition build() {
      String who = name != null ? name : "ListenerDefinition";
      if (group == null || group.isBlank() || group.length() > 255) {
        throw new KeelConfigurationException(
            who + ": group is required (1 to 255 chars), was " + quote(group));
      }
      if (id != null && !ID.matcher(id).matches()) {
        throw new KeelConfigurationException(
            who + ": id must be lower-case letters, digits and '-' (1 to 100), was " + quote(id));
      }
      if (topic == null || !TOPIC.matcher(topic).matches()) {
        throw new KeelConfigurationException(
            who + ": topic must be a legal Kafka topic name, was " + quote(topic));
      }
      if (eventType != null && !Event.TYPE_PATTERN.matcher(eventType).matches()) {
        throw new KeelConfigurationException(
            who
                + ": eventType must be an event type such as order.placed, was "
                + quote(eventType));
      }
      if (idempotencyKey == null || ordering == null) {
        throw new KeelConfigurationException(who + ": idempotencyKey and ordering are required");
      }
      if (concurrency < 0 || concurrency > 256) {
        throw new KeelConfigurationException(
            who + ": concurrency must be between 0 and 256, was " + concurrency);
      }
      if (handler == null) {
        throw new KeelConfigurationException(who + ": handler is required");
      }
      return new ListenerDefinition(this);
    }

    private static String quote(String s) {
      return s == null ? "null" : "\"" + s.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
  }
}
