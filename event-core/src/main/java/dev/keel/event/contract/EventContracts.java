package dev.keel.event.contract;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.UnknownContractVersionException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The contracts a service knows, by event type and version. Producers check outgoing events with
 * {@link #check(String, int)}; consumers pick the payload type with {@link #require(String, int)}.
 *
 * <p>In strict mode every event type must be registered; otherwise types without any contract pass
 * unchecked, while a registered type with an unknown version is always rejected. Immutable and
 * thread-safe.
 */
public final class EventContracts {
  private static final EventContracts NONE = new EventContracts(Map.of(), false);
  private final Map<String, NavigableMap<Integer, EventContract>> byType;
  private final boolean strict;

  private EventContracts(Map<String, NavigableMap<Integer, EventContract>> byType, boolean strict) {
    this.byType = byType;
    this.strict = strict;
  }

  /** No contracts, not strict: every event passes. */
  public static EventContracts none() {
    return NONE;
  }

  /** Starts a registry. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that an event type and version may be produced or consumed.
   *
   * @throws UnknownContractVersionException when the type is registered without that version, or
   *     unregistered in strict mode
   */
  public void check(String type, int version) {
    NavigableMap<Integer, EventContract> versions = byType.get(type);
    if (versions == null) {
      if (strict) {
        throw new UnknownContractVersionException(
            "Event type " + type + " has no registered contract (strict contracts)");
      }
      return;
    }
    if (!versions.containsKey(version)) {
      throw new UnknownContractVersionException(
          "Event type "
              + type
              + " has no contract version "
              + version
              + "; known versions "
              + versions.keySet());
    }
  }

  /**
   * The contract of a type and version.
   *
   * @throws UnknownContractVersionException when not registered
   */
  public EventContract require(String type, int version) {
    NavigableMap<Integer, EventContract> versions = byType.get(type);
    EventContract c = versions == null ? null : versions.get(version);
    if (c == null) {
      throw new UnknownContractVersionException(
          "Event type "
              + type
              + " has no contract version "
              + version
              + (versions == null
                  ? "; the type is not registered"
                  : "; known versions " + versions.keySet()));
    }
    return c;
  }

  /** The highest registered version of a type. */
  public Optional<EventContract> latest(String type) {
    NavigableMap<Integer, EventContract> versions = byType.get(type);
    return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
  }

  /** Every registered contract, by type then version. */
  public List<EventContract> all() {
    return byType.values().stream().flatMap(m -> m.values().stream()).toList();
  }

  /** Whether unregistered types are rejected. */
  public boolean strict() {
    return strict;
  }

  /** Builds {@link EventContracts}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, NavigableMap<Integer, EventContract>> byType = new HashMap<>();
    private boolean strict;

    private Builder() {}

    /** Registers a contract. */
    public Builder register(EventContract contract) {
      NavigableMap<Integer, EventContract> versions =
          byType.computeIfAbsent(contract.name(), k -> new TreeMap<>());
      if (versions.putIfAbsent(contract.version(), contract) != null) {
        throw new KeelConfigurationException(
            "EventContracts: "
                + contract.name()
                + " v"
                + contract.version()
                + " is registered twice");
      }
      return this;
    }

    /** Registers several contracts. */
    public Builder registerAll(Collection<EventContract> contracts) {
      contracts.forEach(this::register);
      return this;
    }

    /** Rejects event types without any registered contract. */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** Builds the immutable registry. */
    public EventContracts build() {
      Map<String, NavigableMap<Integer, EventContract>> copy = new HashMap<>();
      byType.forEach((k, v) -> copy.put(k, Collections.unmodifiableNavigableMap(new TreeMap<>(v))));
      return new EventContracts(Collections.unmodifiableMap(copy), strict);
    }
  }
}
