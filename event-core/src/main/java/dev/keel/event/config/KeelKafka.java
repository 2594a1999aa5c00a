package dev.keel.event.config;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Secrets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Kafka cluster Keel's components share: bootstrap servers, client properties (security
 * settings included, passed through untouched) and an optional client-id prefix. Give the same
 * value to every builder ({@code .kafka(kafka)}); each component adds what its guarantees need
 * (serializers, {@code acks=all}, no auto-commit) and refuses what breaks them.
 *
 * <pre>{@code
 * KeelKafka kafka = KeelKafka.builder()
 *     .bootstrapServers("kafka-1:9093,kafka-2:9093")
 *     .property("security.protocol", "SASL_SSL")
 *     .property("sasl.mechanism", "SCRAM-SHA-512")
 *     .property("sasl.jaas.config", jaas)
 *     .build();
 * }</pre>
 *
 * <p>From properties: {@code keel.kafka.bootstrap-servers}, {@code keel.kafka.client-id-prefix} and
 * any {@code keel.kafka.properties.<kafka property>} ({@link ConfigKey}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secret-looking values (passwords, JAAS
 * configurations, tokens, keys).
 */
public final class KeelKafka {
  private final Map<String, Object> properties; // bootstrap.servers included
  private final String clientIdPrefix;

  private KeelKafka(Map<String, Object> properties, String clientIdPrefix) {
    this.properties = properties;
    this.clientIdPrefix = clientIdPrefix;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The cluster configured by the {@code kafka} keys of a properties tree.
   *
   * @throws KeelConfigurationException naming a key that is missing, wrong or unknown
   */
  public static KeelKafka fromProperties(Map<String, ?> properties, String prefix) {
    return from(KeelSettings.of(properties, prefix));
  }

  /** As {@link #fromProperties(Map, String)}, from {@link Properties}. */
  public static KeelKafka fromProperties(Properties properties, String prefix) {
    return from(KeelSettings.of(properties, prefix));
  }

  /** As {@link #fromProperties(Map, String)}, from parsed settings. */
  public static KeelKafka from(KeelSettings settings) {
    settings.requireKnown("kafka");
    Builder b = builder().properties(settings.map(ConfigKey.KAFKA_PROPERTIES));
    String servers =
        settings
            .raw(ConfigKey.KAFKA_BOOTSTRAP_SERVERS)
            .orElseThrow(
                () ->
                    new KeelConfigurationException(
                        settings.name(ConfigKey.KAFKA_BOOTSTRAP_SERVERS) + " is required"));
    b.bootstrapServers(servers);
    settings.raw(ConfigKey.KAFKA_CLIENT_ID_PREFIX).ifPresent(b::clientIdPrefix);
    return b.build();
  }

  /** The bootstrap servers. */
  public String bootstrapServers() {
    return properties.get("bootstrap.servers").toString();
  }

  /** The client-id prefix, empty when unset. */
  public String clientIdPrefix() {
    return clientIdPrefix;
  }

  /** Every client property, {@code bootstrap.servers} included; unmodifiable. */
  public Map<String, Object> clientProperties() {
    return properties;
  }

  /**
   * The client properties for one component's clients: {@link #clientProperties()}, plus {@code
   * client.id = <prefix>-<component>} when a prefix is set and no {@code client.id} is.
   *
   * @param component such as {@code relay}, {@code consumer}, {@code dlq}
   * @return a new mutable map
   */
  public Map<String, Object> clientProperties(String component) {
    Map<String, Object> p = new LinkedHashMap<>(properties);
    if (!clientIdPrefix.isEmpty()) {
      p.putIfAbsent("client.id", clientIdPrefix + "-" + component);
    }
    return p;
  }

  /** The bootstrap servers and properties, secret values masked. */
  @Override
  public String toString() {
    Map<String, Object> shown = new TreeMap<>();
    properties.forEach((k, v) -> shown.put(k, Secrets.isSecretKey(k) ? Secrets.MASK : v));
    return "KeelKafka{"
        + shown
        + (clientIdPrefix.isEmpty() ? "" : ", clientIdPrefix=" + clientIdPrefix)
        + "}";
  }

  /** Builds a {@link KeelKafka}. Not thread-safe; {@link #build()} copies the settings. */
  public static final class Builder {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private String clientIdPrefix = "";

    private Builder() {}

    /** The bootstrap servers, such as {@code kafka-1:9092,kafka-2:9092}; required. */
    public Builder bootstrapServers(String servers) {
      properties.put("bootstrap.servers", servers);
      return this;
    }

    /** One Kafka client property, passed through (never logged unmasked). */
    public Builder property(String name, Object value) {
      properties.put(name, value);
      return this;
    }

    /** Kafka client properties, added to those already set. */
    public Builder properties(Map<String, ?> clientProperties) {
      properties.putAll(clientProperties);
      return this;
    }

    /** A prefix for the {@code client.id} of Keel's clients; none by default. */
    public Builder clientIdPrefix(String prefix) {
      this.clientIdPrefix = prefix == null ? "" : prefix;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException when the bootstrap servers are missing or blank
     */
    public KeelKafka build() {
      Object servers = properties.get("bootstrap.servers");
      if (servers == null || servers.toString().isBlank()) {
        throw new KeelConfigurationException(
            "KeelKafka.bootstrapServers (keel.kafka.bootstrap-servers) is required");
      }
      for (Map.Entry<String, Object> e : properties.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new KeelConfigurationException(
              "KeelKafka.properties must not hold null names or values, was "
                  + e.getKey()
                  + "=null");
        }
      }
      return new KeelKafka(
          Collections.unmodifiableMap(new LinkedHashMap<>(properties)), clientIdPrefix);
    }
  }
}
