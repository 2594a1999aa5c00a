package dev.keel.event.sql;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Keel's tables live: an optional schema and a table-name prefix ({@code keel_} by default,
 * giving {@code keel_outbox}, {@code keel_dead_letter}...). Both are validated as plain lower-case
 * identifiers and always quoted when rendered, so no configuration value can inject SQL.
 *
 * <p>Needs no jOOQ: jOOQ users take names and tables from {@link KeelSql#name(TableNames, String)}
 * and {@link KeelSql#table(TableNames, String)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TableNames {
  /** The default prefix. */
  public static final String DEFAULT_PREFIX = "keel_";

  private static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]{0,31})?");
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern BASE = Pattern.compile("[a-z][a-z0-9_]{0,29}");
  private static final TableNames DEFAULTS = new TableNames(null, DEFAULT_PREFIX);

  private final String schema;
  private final String prefix;

  private TableNames(String schema, String prefix) {
    this.schema = schema;
    this.prefix = prefix;
  }

  /** The default: no schema (the connection's current one) and prefix {@code keel_}. */
  public static TableNames defaults() {
    return DEFAULTS;
  }

  /**
   * Validated names.
   *
   * @param schema a schema name, or null for the connection's current schema
   * @param prefix the table prefix, such as {@code keel_}; may be empty
   * @throws KeelConfigurationException when either is not a plain lower-case identifier
   */
  public static TableNames of(String schema, String prefix) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new KeelConfigurationException(
          "TableNames.prefix must be empty or match "
              + PREFIX.pattern().replace("(", "").replace(")?", "")
              + " (lower-case letters, digits and underscores, at most 32 chars), was "
              + Values.quote(prefix));
    }
    if (schema != null && !SCHEMA.matcher(schema).matches()) {
      throw new KeelConfigurationException(
          "TableNames.schema must match "
              + SCHEMA.pattern()
              + " (lower-case letters, digits and underscores, at most 63 chars), was "
              + Values.quote(schema));
    }
    return new TableNames(schema, prefix);
  }

  /** Names with a prefix in the connection's current schema. */
  public static TableNames withPrefix(String prefix) {
    return of(null, prefix);
  }

  /** The schema, if set. */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  /** The prefix. */
  public String prefix() {
    return prefix;
  }

  /**
   * The unqualified table name: prefix plus base, such as {@code keel_outbox}.
   *
   * @param base a Keel table's base name, such as {@code outbox}
   */
  public String name(String base) {
    if (base == null || !BASE.matcher(base).matches()) {
      throw new KeelConfigurationException(
          "Table base name must match " + BASE.pattern() + ", was " + Values.quote(base));
    }
    return prefix + base;
  }

  /**
   * The quoted, qualified table name for hand-written SQL, such as {@code "app"."keel_outbox"}.
   *
   * @param dialect the dialect whose quotes to use
   * @param base the base name
   */
  public String sql(SqlDialect dialect, String base) {
    return dialect.qualify(schema, name(base));
  }

  /**
   * Values for the placeholders of Keel's SQL scripts: {@code keel_prefix} and {@code
   * keel_schema_prefix} (the quoted schema and a dot, or nothing). Flyway users set the same two.
   */
  public Map<String, String> placeholders(SqlDialect dialect) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("keel_prefix", prefix);
    p.put("keel_schema_prefix", schema == null ? "" : dialect.quote(schema) + ".");
    return p;
  }

  @Override
  public String toString() {
    return (schema == null ? "" : schema + ".") + prefix + "*";
  }
}
