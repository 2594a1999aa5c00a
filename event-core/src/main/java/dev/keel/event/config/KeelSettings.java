package dev.keel.event.config;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keel's keys read from a flat properties tree ({@code keel.relay.lanes=16}): the keys under one
 * prefix, parsed and validated against {@link ConfigKey}, errors naming the full key. Components
 * take their own section from it:
 *
 * <pre>{@code
 * KeelSettings settings = KeelSettings.of(properties); // keys under "keel."
 * KeelDatabase db = KeelDatabase.from(dataSource, settings);
 * KeelKafka kafka = KeelKafka.from(settings);
 * Outbox outbox = Outbox.fromProperties(settings).database(db).build();
 * }</pre>
 *
 * <p>Keys outside the prefix are ignored; a key under it that Keel does not know (a typo such as
 * {@code keel.relay.lane}) is listed by {@link #unknownKeys()} and refused by {@link
 * #requireKnown(String)}, which each component's {@code fromProperties} calls for its section.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeelSettings {
  /** The prefix used when none is given. */
  public static final String DEFAULT_PREFIX = "keel";

  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private final String prefix;
  private final Map<String, String> values; // relative key -> trimmed text

  private KeelSettings(String prefix, Map<String, String> values) {
    this.prefix = prefix;
    this.values = values;
  }

  /** The keys under {@code keel.} of a map; values are read as text. */
  public static KeelSettings of(Map<String, ?> properties) {
    return of(properties, DEFAULT_PREFIX);
  }

  /**
   * The keys under a prefix of a map; values are read as text ({@code toString()}).
   *
   * @param properties the flat tree, such as Spring's environment or a parsed file
   * @param prefix such as {@code keel} or {@code app.keel}; empty for keys without a prefix
   */
  public static KeelSettings of(Map<String, ?> properties, String prefix) {
    if (properties == null) {
      throw new KeelConfigurationException("KeelSettings properties must not be null");
    }
    String p = prefix == null ? "" : prefix;
    String lead = p.isEmpty() ? "" : p + ".";
    Map<String, String> values = new TreeMap<>();
    properties.forEach(
        (k, v) -> {
          if (k != null && k.startsWith(lead) && v != null) {
            values.put(k.substring(lead.length()), v.toString().trim());
          }
        });
    return new KeelSettings(p, Collections.unmodifiableMap(values));
  }

  /** The keys under {@code keel.} of a {@link Properties}. */
  public static KeelSettings of(Properties properties) {
    return of(properties, DEFAULT_PREFIX);
  }

  /** The keys under a prefix of a {@link Properties} (defaults included). */
  public static KeelSettings of(Properties properties, String prefix) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      m.put(name, properties.getProperty(name));
    }
    return of(m, prefix);
  }

  /** No keys: every default. */
  public static KeelSettings empty() {
    return of(Map.of());
  }

  /** The prefix, such as {@code keel}. */
  public String prefix() {
    return prefix;
  }

  /** The full name of a key under this prefix, such as {@code keel.relay.lanes}. */
  public String name(ConfigKey key) {
    return key.key(prefix);
  }

  /** Whether the key is set (to a non-empty value). */
  public boolean has(ConfigKey key) {
    return raw(key).isPresent();
  }

  /** The key's text when set and not empty. */
  public Optional<String> raw(ConfigKey key) {
    String v = values.get(key.key());
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** The key's text, or its default (empty when it has none). */
  public String string(ConfigKey key) {
    return raw(key).orElse(key.defaultValue().orElse(""));
  }

  /** The key's text when set, else its default when it has a non-empty one. */
  private Optional<String> valueOrDefault(ConfigKey key) {
    Optional<String> v = raw(key);
    if (v.isPresent()) {
      return v;
    }
    return key.defaultValue().filter(d -> !d.isEmpty());
  }

  /**
   * An {@code int} key, set or default, within its bounds.
   *
   * @throws KeelConfigurationException naming the key when not a number or out of bounds
   */
  public int intValue(ConfigKey key) {
    return (int) longValue(key);
  }

  /** An {@code int} key when set (validated). */
  public Optional<Integer> intIfSet(ConfigKey key) {
    return raw(key).map(v -> intValue(key));
  }

  /**
   * A {@code long} key, set or default, within its bounds.
   *
   * @throws KeelConfigurationException naming the key when not a number or out of bounds
   */
  public long longValue(ConfigKey key) {
    String v = valueOrDefault(key).orElseThrow(() -> missing(key));
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw invalid(key, "must be a whole number", v);
    }
    if (n < key.min() || n > key.max()) {
      throw new KeelConfigurationException(
          name(key) + " must be between " + key.min() + " and " + key.max() + ", was " + n);
    }
    return n;
  }

  /** A decimal key, set or default. */
  public double doubleValue(ConfigKey key) {
    String v = valueOrDefault(key).orElseThrow(() -> missing(key));
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw invalid(key, "must be a number", v);
    }
  }

  /** A boolean key, set or default: {@code true} or {@code false}, case-insensitive. */
  public boolean bool(ConfigKey key) {
    String v = valueOrDefault(key).orElseThrow(() -> missing(key)).toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw invalid(key, "must be true or false", v);
  }

  /** A duration key, set or default. */
  public Duration duration(ConfigKey key) {
    return durationIfSet(key).orElseGet(() -> parseDuration(key, key.defaultValue().orElse("")));
  }

  /** A duration key when set. */
  public Optional<Duration> durationIfSet(ConfigKey key) {
    return raw(key).map(v -> parseDuration(key, v));
  }

  /** An enum key, set or default, by constant name (case-insensitive, {@code -} for {@code _}). */
  public <E extends Enum<E>> Optional<E> enumValue(ConfigKey key, Class<E> type) {
    Optional<String> v = valueOrDefault(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String n = v.get().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(n)) {
        return Optional.of(e);
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    throw invalid(key, "must be one of " + String.join(", ", names), v.get());
  }

  /** A list key: its comma-separated items, trimmed, empty ones dropped. */
  public List<String> list(ConfigKey key) {
    List<String> items = new ArrayList<>();
    for (String s : string(key).split(",")) {
      if (!s.isBlank()) {
        items.add(s.trim());
      }
    }
    return List.copyOf(items);
  }

  /** A list key of durations. */
  public List<Duration> durations(ConfigKey key) {
    List<Duration> items = new ArrayList<>();
    for (String s : list(key)) {
      items.add(parseDuration(key, s));
    }
    return List.copyOf(items);
  }

  /**
   * The keys under a {@link ConfigKey.Type#MAP} key's prefix, with that prefix removed: {@code
   * keel.kafka.properties.security.protocol=SSL} gives {@code security.protocol=SSL}.
   */
  public Map<String, String> map(ConfigKey key) {
    if (key.type() != ConfigKey.Type.MAP) {
      throw new IllegalArgumentException(key + " is not a map key");
    }
    String lead = key.key().substring(0, key.key().length() - 1);
    Map<String, String> m = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(lead) && k.length() > lead.length()) {
            m.put(k.substring(lead.length()), v);
          }
        });
    return Collections.unmodifiableMap(m);
  }

  /** The full names of keys under the prefix that are not {@link ConfigKey}s, sorted. */
  public Set<String> unknownKeys() {
    Set<String> unknown = new TreeSet<>();
    for (String k : values.keySet()) {
      if (ConfigKey.of(k).isEmpty()) {
        unknown.add(prefix.isEmpty() ? k : prefix + "." + k);
      }
    }
    return Collections.unmodifiableSet(unknown);
  }

  /**
   * Refuses keys of a section that Keel does not know.
   *
   * @param section such as {@code relay}
   * @throws KeelConfigurationException listing the unknown keys of {@code <prefix>.<section>.*}
   */
  public void requireKnown(String section) {
    String lead = section + ".";
    List<String> unknown = new ArrayList<>();
    for (String k : values.keySet()) {
      if (k.startsWith(lead) && ConfigKey.of(k).isEmpty()) {
        unknown.add(prefix.isEmpty() ? k : prefix + "." + k);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> known = new ArrayList<>();
      for (ConfigKey k : ConfigKey.values()) {
        if (k.section().equals(section)) {
          known.add(k.key(prefix));
        }
      }
      throw new KeelConfigurationException(
          "Unknown Keel configuration key(s) "
              + String.join(", ", unknown)
              + "; the known keys of "
              + section
              + " are "
              + String.join(", ", known));
    }
  }

  private Duration parseDuration(ConfigKey key, String text) {
    String v = text.trim();
    Duration d;
    Matcher m = SIMPLE_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(
            key, "must be a duration such as PT10S, 500ms, 10s, 5m, 2h or 7d (no sign)", text);
      }
    }
    if (d.isNegative()) {
      throw invalid(key, "must not be negative", text);
    }
    return d;
  }

  private KeelConfigurationException missing(ConfigKey key) {
    return new KeelConfigurationException(name(key) + " is required");
  }

  private KeelConfigurationException invalid(ConfigKey key, String rule, String value) {
    return new KeelConfigurationException(name(key) + " " + rule + ", was " + Values.quote(value));
  }

  /** The prefix and the keys set, values of secret-looking keys masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    values.forEach(
        (k, v) ->
            shown.put(
                k,
                dev.keel.event.support.Secrets.isSecretKey(k)
                    ? dev.keel.event.support.Secrets.MASK
                    : v));
    return "KeelSettings{prefix=" + prefix + ", " + shown + "}";
  }
}
