package dev.keel.event.contract;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The published contract of one event type at one version: who owns it, which fields it carries and
 * what each is for, which field orders it, which fields are on their way out.
 *
 * <pre>{@code
 * EventContract placed = EventContract.builder("order.placed", 2)
 *     .owner("orders-team")
 *     .topic("orders")
 *     .orderingKey("orderId")
 *     .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
 *     .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
 *     .field(ContractField.optional("channel", FieldType.STRING, FieldRole.METADATA))
 *     .payloadType(OrderPlaced.class)
 *     .build();
 * }</pre>
 *
 * Evolution is additive: see {@link Compatibility#check(EventContract, EventContract)}. Immutable
 * and thread-safe; the builder is not.
 */
public final class EventContract {
  private final String name;
  private final int version;
  private final String owner;
  private final String topic;
  private final String orderingKey;
  private final String description;
  private final List<ContractField> fields;
  private final List<Deprecation> deprecations;
  private final Class<?> payloadType;

  private EventContract(Builder b) {
    this.name = b.name;
    this.version = b.version;
    this.owner = b.owner;
    this.topic = b.topic;
    this.orderingKey = b.orderingKey;
    this.description = b.description;
    this.fields = Collections.unmodifiableList(new ArrayList<>(b.fields));
    this.deprecations = Collections.unmodifiableList(new ArrayList<>(b.deprecations));
    this.payloadType = b.payloadType;
  }

  /**
   * Starts a contract.
   *
   * @param name the event type, such as {@code order.placed}
   * @param version the contract version, at least 1
   */
  public static Builder builder(String name, int version) {
    return new Builder(name, version);
  }

  /** The event type. */
  public String name() {
    return name;
  }

  /** The version. */
  public int version() {
    return version;
  }

  /** The owning team or service; required. */
  public String owner() {
    return owner;
  }

  /** The topic the event is published on, if declared. */
  public Optional<String> topic() {
    return Optional.ofNullable(topic);
  }

  /** The field whose value is the partition key, if declared. */
  public Optional<String> orderingKey() {
    return Optional.ofNullable(orderingKey);
  }

  /** A sentence on what the fact means. */
  public String description() {
    return description;
  }

  /** The fields, in declaration order. */
  public List<ContractField> fields() {
    return fields;
  }

  /** The field with this name, if any. */
  public Optional<ContractField> field(String fieldName) {
    return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }

  /** Fields marked for removal. */
  public List<Deprecation> deprecations() {
    return deprecations;
  }

  /** The Java type payloads of this version decode into, if declared. Never read from a header. */
  public Optional<Class<?>> payloadType() {
    return Optional.ofNullable(payloadType);
  }

  @Override
  public String toString() {
    return name + " v" + version + " (owner " + owner + ", " + fields.size() + " fields)";
  }

  /** Builds an {@link EventContract}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final int version;
    private String owner;
    private String topic;
    private String orderingKey;
    private String description = "";
    private final List<ContractField> fields = new ArrayList<>();
    private final List<Deprecation> deprecations = new ArrayList<>();
    private Class<?> payloadType;

    private Builder(String name, int version) {
      this.name = name;
      this.version = version;
    }

    /** The owning team or service. Required. */
    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    /** The topic the event is published on. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The field whose value is the partition key; must be a declared field. */
    public Builder orderingKey(String field) {
      this.orderingKey = field;
      return this;
    }

    /** What the fact means. */
    public Builder description(String description) {
      this.description = description == null ? "" : description;
      return this;
    }

    /** Adds a field. */
    public Builder field(ContractField field) {
      if (field == null) {
        throw new KeelConfigurationException(where() + ": field must not be null");
      }
      fields.add(field);
      return this;
    }

    /** Marks a declared field for removal. */
    public Builder deprecate(Deprecation deprecation) {
      if (deprecation == null) {
        throw new KeelConfigurationException(where() + ": deprecation must not be null");
      }
      deprecations.add(deprecation);
      return this;
    }

    /** The Java type (a record, typically) payloads of this version decode into. */
    public Builder payloadType(Class<?> type) {
      this.payloadType = type;
      return this;
    }

    private String where() {
      return "EventContract " + Values.quote(name) + " v" + version;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the contract and the property
     */
    public EventContract build() {
      String where = where();
      if (name == null || !Event.TYPE_PATTERN.matcher(name).matches()) {
        throw new KeelConfigurationException(
            where + ": name must be an event type such as order.placed");
      }
      if (version < 1) {
        throw new KeelConfigurationException(
            where + ": version must be at least 1, was " + version);
      }
      if (owner == null || owner.isBlank()) {
        throw new KeelConfigurationException(where + ": owner is required");
      }
      Set<String> names = new HashSet<>();
      for (ContractField f : fields) {
        if (!names.add(f.name())) {
          throw new KeelConfigurationException(
              where + ": field " + f.name() + " is declared twice");
        }
      }
      if (orderingKey != null && !names.contains(orderingKey)) {
        throw new KeelConfigurationException(
            where + ": orderingKey " + Values.quote(orderingKey) + " is not a declared field");
      }
      for (Deprecation d : deprecations) {
        if (!names.contains(d.field())) {
          throw new KeelConfigurationException(
              where + ": deprecated field " + Values.quote(d.field()) + " is not a declared field");
        }
      }
      return new EventContract(this);
    }
  }
}
