package dev.keel.event.config;

import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The database Keel's components share: the data source, its dialect (given or detected), where the
 * tables live ({@link TableNames}) and what components do about them at start ({@link
 * SchemaPolicy}). Give the same value to every builder ({@code .database(db)}) instead of repeating
 * data source, dialect, table names and schema flags on each.
 *
 * <pre>{@code
 * KeelDatabase db = KeelDatabase.builder()
 *     .dataSource(dataSource)
 *     .tableNames(TableNames.of("app", "keel_"))
 *     .schemaPolicy(SchemaPolicy.VALIDATE)
 *     .build();
 * db.install("outbox", "consumer", "dlq", "saga"); // an explicit step, for example at deploy
 * }</pre>
 *
 * <p>From properties: {@link #fromProperties(DataSource, Map, String)} reads {@code
 * keel.database.schema}, {@code keel.database.table-prefix}, {@code keel.database.schema-policy}
 * and {@code keel.database.dialect} ({@link ConfigKey}).
 *
 * <p>Immutable and thread-safe. It does not own the data source: closing it is the caller's.
 */
public final class KeelDatabase {
  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final TableNames tableNames;
  private final SchemaPolicy schemaPolicy;

  private KeelDatabase(Builder b) {
    this.dataSource = b.dataSource;
    this.dialect = b.dialect;
    this.tableNames = b.tableNames;
    this.schemaPolicy = b.schemaPolicy;
  }

  /** Starts a builder: no data source, dialect detected, default table names, {@code INSTALL}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The database of a data source configured by the {@code database} keys of a properties tree.
   *
   * @param dataSource the data source (Keel's keys do not describe connections)
   * @param properties the flat tree
   * @param prefix such as {@code keel}
   * @throws KeelConfigurationException naming the key whose value is wrong or unknown
   */
  public static KeelDatabase fromProperties(
      DataSource dataSource, Map<String, ?> properties, String prefix) {
    return from(dataSource, KeelSettings.of(properties, prefix));
  }

  /** As {@link #fromProperties(DataSource, Map, String)}, from {@link Properties}. */
  public static KeelDatabase fromProperties(
      DataSource dataSource, Properties properties, String prefix) {
    return from(dataSource, KeelSettings.of(properties, prefix));
  }

  /** As {@link #fromProperties(DataSource, Map, String)}, from parsed settings. */
  public static KeelDatabase from(DataSource dataSource, KeelSettings settings) {
    return builder().dataSource(dataSource).settings(settings).build();
  }

  /** A builder holding this value's settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataSource = dataSource;
    b.dialect = dialect;
    b.tableNames = tableNames;
    b.schemaPolicy = schemaPolicy;
    return b;
  }

  /** The data source; the caller owns it. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** The dialect, when it was given rather than left to detection. */
  public Optional<SqlDialect> dialect() {
    return Optional.ofNullable(dialect);
  }

  /** The given dialect, or the one detected from the data source (borrows a connection). */
  public SqlDialect resolveDialect() {
    return dialect != null ? dialect : SqlDialect.detect(dataSource);
  }

  /** Where the tables live. */
  public TableNames tableNames() {
    return tableNames;
  }

  /** What components do about their tables at start. */
  public SchemaPolicy schemaPolicy() {
    return schemaPolicy;
  }

  /**
   * Creates or upgrades the tables of components, whatever the schema policy: an explicit step, for
   * a deploy job or a test. Idempotent and safe to run from several instances at once.
   *
   * @param components such as {@code outbox}, {@code consumer}, {@code dlq}, {@code saga}
   * @return the scripts applied now, as {@code component/V<n>__name.sql}, in order
   * @throws dev.keel.event.FatalKeelException when a script fails
   */
  public List<String> install(String... components) {
    SchemaInstaller installer = installer();
    List<String> applied = new ArrayList<>();
    for (String c : components) {
      for (String script : installer.install(c)) {
        applied.add(c + "/" + script);
      }
    }
    return applied;
  }

  /**
   * What a component does at start: installs its tables under {@link SchemaPolicy#INSTALL}, checks
   * them under {@link SchemaPolicy#VALIDATE}, nothing under {@link SchemaPolicy#NONE}.
   *
   * @param component such as {@code outbox}
   * @throws MissingSchemaException under {@code VALIDATE} when a script is not recorded
   */
  public void prepare(String component) {
    switch (schemaPolicy) {
      case INSTALL -> installer().install(component);
      case VALIDATE -> {
        SchemaInstaller installer = installer();
        List<String> pending = installer.pending(component);
        if (!pending.isEmpty()) {
          throw MissingSchemaException.pending(component, pending, tableNames, installer.dialect());
        }
      }
      case NONE -> {}
    }
  }

  /**
   * Checks that a component's tables exist, with one query per table that reads no row. Components
   * call it at start under {@link SchemaPolicy#NONE}, where {@link #prepare(String)} checks
   * nothing, so that a table nobody installed stops the start with a configuration error instead of
   * failing every record later as a retriable one.
   *
   * @param component such as {@code consumer}, named in the error
   * @param tables base names without the prefix, such as {@code consumer_dedupe}
   * @throws MissingSchemaException naming the first table that does not exist
   * @throws FatalKeelException when the database cannot be queried for another reason
   */
  public void requireTables(String component, String... tables) {
    SqlDialect d = dialect != null ? dialect : SqlDialect.detect(dataSource);
    String current = null;
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (String base : tables) {
        current = tableNames.sql(d, base);
        st.executeQuery("SELECT 1 FROM " + current + " WHERE 1 = 0").close();
      }
    } catch (SQLException e) {
      MissingSchemaException.of(e, component, tableNames, d)
          .ifPresent(
              missing -> {
                throw missing;
              });
      throw new FatalKeelException(
          "Keel "
              + component
              + ": cannot check table "
              + (current != null ? current : "(no connection)")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private SchemaInstaller installer() {
    return SchemaInstaller.builder()
        .dataSource(dataSource)
        .dialect(dialect)
        .tableNames(tableNames)
        .build();
  }

  /** The settings, never the data source's credentials. */
  @Override
  public String toString() {
    return "KeelDatabase{dialect="
        + (dialect == null ? "detected" : dialect)
        + ", tables="
        + tableNames
        + ", schemaPolicy="
        + schemaPolicy
        + "}";
  }

  /** Builds a {@link KeelDatabase}. Not thread-safe; {@link #build()} copies the settings. */
  public static final class Builder {
    private DataSource dataSource;
    private SqlDialect dialect;
    private TableNames tableNames = TableNames.defaults();
    private SchemaPolicy schemaPolicy =
        ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class);

    private Builder() {}

    /** The data source; required. The caller keeps ownership. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** The dialect; detected from the data source when not set (or set to null). */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** Schema and table prefix; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /** What components do about their tables at start; {@link SchemaPolicy#INSTALL} by default. */
    public Builder schemaPolicy(SchemaPolicy schemaPolicy) {
      this.schemaPolicy = schemaPolicy;
      return this;
    }

    /**
     * Applies the {@code database} keys that are set; keys left out keep this builder's values.
     *
     * @throws KeelConfigurationException naming a key whose value is wrong, or an unknown {@code
     *     database} key
     */
    public Builder settings(KeelSettings settings) {
      settings.requireKnown("database");
      if (settings.has(ConfigKey.DATABASE_SCHEMA)
          || settings.has(ConfigKey.DATABASE_TABLE_PREFIX)) {
        String schema = settings.raw(ConfigKey.DATABASE_SCHEMA).orElse(null);
        String prefix = settings.string(ConfigKey.DATABASE_TABLE_PREFIX);
        try {
          tableNames = TableNames.of(schema, prefix);
        } catch (KeelConfigurationException e) {
          throw new KeelConfigurationException(
              settings.name(ConfigKey.DATABASE_SCHEMA)
                  + " / "
                  + settings.name(ConfigKey.DATABASE_TABLE_PREFIX)
                  + ": "
                  + e.getMessage());
        }
      }
      settings
          .raw(ConfigKey.DATABASE_SCHEMA_POLICY)
          .ifPresent(
              v ->
                  schemaPolicy =
                      settings
                          .enumValue(ConfigKey.DATABASE_SCHEMA_POLICY, SchemaPolicy.class)
                          .orElseThrow());
      settings
          .raw(ConfigKey.DATABASE_DIALECT)
          .ifPresent(
              v ->
                  dialect =
                      settings
                          .enumValue(ConfigKey.DATABASE_DIALECT, SqlDialect.class)
                          .orElseThrow());
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException when the data source, table names or policy is missing
     */
    public KeelDatabase build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("KeelDatabase.dataSource is required");
      }
      if (tableNames == null) {
        throw new KeelConfigurationException("KeelDatabase.tableNames must not be null");
      }
      if (schemaPolicy == null) {
        throw new KeelConfigurationException(
            "KeelDatabase.schemaPolicy (keel.database.schema-policy) must not be null");
      }
      return new KeelDatabase(this);
    }
  }
}
