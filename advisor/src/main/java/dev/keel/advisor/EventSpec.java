package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.Deprecation;
import dev.keel.event.contract.EventContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An event type of the topology: a fact, in past tense, published by one service. Immutable; build
 * one with {@link #builder(String)}.
 *
 * @param name the event type, such as {@code order.placed}
 * @param producer the producing service
 * @param owner the owning team; empty means the producer's owner
 * @param topic the topic it is published on
 * @param partitionKey the payload field used as the Kafka record key, if declared
 * @param orderingKey the field the contract promises order by, if declared
 * @param version the contract version, if declared
 * @param fields the contract's fields
 * @param deprecations fields on their way out
 * @param previous the contract consumers read today, when this one is a proposed change
 * @param publishedVia outbox or direct producer
 * @param triggeredByDbChange whether the event reports a change the producer writes to its database
 * @param description what the fact means
 */
public record EventSpec(
    String name,
    String producer,
    Optional<String> owner,
    String topic,
    Optional<String> partitionKey,
    Optional<String> orderingKey,
    Optional<Integer> version,
    List<ContractField> fields,
    List<Deprecation> deprecations,
    Optional<EventContract> previous,
    Publication publishedVia,
    boolean triggeredByDbChange,
    String description) {

  /** Validates presence and copies the lists. */
  public EventSpec {
    Checks.name("event.name", name);
    String where = "event " + Checks.q(name);
    Checks.name(where + ": producer", producer);
    Checks.name(where + ": topic", topic);
    owner = Checks.optional(owner);
    partitionKey = Checks.optional(partitionKey);
    orderingKey = Checks.optional(orderingKey);
    version = Checks.optional(version);
    fields = Checks.list(fields);
    deprecations = Checks.list(deprecations);
    previous = Checks.optional(previous);
    Checks.present(where + ": publishedVia", publishedVia);
    description = description == null ? "" : description;
  }

  /** Starts an event of this type. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds an {@link EventSpec}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private String producer;
    private String owner;
    private String topic;
    private String partitionKey;
    private String orderingKey;
    private Integer version;
    private final List<ContractField> fields = new ArrayList<>();
    private final List<Deprecation> deprecations = new ArrayList<>();
    private EventContract previous;
    private Publication publishedVia = Publication.OUTBOX;
    private boolean triggeredByDbChange;
    private String description = "";

    private Builder(String name) {
      this.name = name;
    }

    /** The producing service. Required. */
    public Builder producer(String service) {
      this.producer = service;
      return this;
    }

    /** The owning team, when not the producer's owner. */
    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    /** The topic. Required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The field used as the Kafka record key. */
    public Builder partitionKey(String field) {
      this.partitionKey = field;
      return this;
    }

    /** The field the contract promises order by. */
    public Builder orderingKey(String field) {
      this.orderingKey = field;
      return this;
    }

    /** Partition key and ordering key in one: the usual, consistent case. */
    public Builder key(String field) {
      return partitionKey(field).orderingKey(field);
    }

    /** The contract version. */
    public Builder version(int version) {
      this.version = version;
      return this;
    }

    /** Adds a contract field. */
    public Builder field(ContractField field) {
      fields.add(field);
      return this;
    }

    /** Marks a field for removal. */
    public Builder deprecate(Deprecation deprecation) {
      deprecations.add(deprecation);
      return this;
    }

    /** The contract consumers read today; the advisor checks compatibility against it. */
    public Builder previous(EventContract previous) {
      this.previous = previous;
      return this;
    }

    /** How the event is published; default outbox. */
    public Builder publishedVia(Publication publication) {
      this.publishedVia = publication;
      return this;
    }

    /** Whether the event reports a change the producer writes to its database. */
    public Builder triggeredByDbChange(boolean triggered) {
      this.triggeredByDbChange = triggered;
      return this;
    }

    /** What the fact means. */
    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** Builds the immutable spec; references are checked by {@link Topology.Builder#build()}. */
    public EventSpec build() {
      return new EventSpec(
          name,
          producer,
          Optional.ofNullable(owner),
          topic,
          Optional.ofNullable(partitionKey),
          Optional.ofNullable(orderingKey),
          Optional.ofNullable(version),
          fields,
          deprecations,
          Optional.ofNullable(previous),
          publishedVia,
          triggeredByDbChange,
          description);
    }
  }
}
