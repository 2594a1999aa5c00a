package dev.keel.event.config;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.SqlStates;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of Keel's tables does not exist: nobody installed the schema. Never retriable: appending or
 * starting again fails the same way until the tables are installed, through {@link
 * KeelDatabase#install(String...)}, a component started with {@link SchemaPolicy#INSTALL}, or the
 * migrations in {@code keel/sql/<dialect>/<component>/}. The message names the table and the three
 * ways.
 */
public final class MissingSchemaException extends KeelConfigurationException {
  private static final long serialVersionUID = 1L;
  // PostgreSQL: relation "x" does not exist; MySQL/MariaDB: Table 'db.x' doesn't exist;
  // H2: Table "X" not found.
  private static final Pattern TABLE =
      Pattern.compile(
          "(?i)(?:relation|table)\\s+[\"'`]?([A-Za-z0-9_.\"`]+?)[\"'`]?\\s+(?:does|not)");

  private final String component;

  private MissingSchemaException(String message, String component, Throwable cause) {
    super(message, cause);
    this.component = component;
  }

  /** The component whose tables are missing, such as {@code outbox}. */
  public String component() {
    return component;
  }

  /**
   * The error to throw instead of {@code error} when its SQLState says a table does not exist
   * ({@code 42P01} PostgreSQL, {@code 42S02} MySQL/MariaDB/H2, {@code 42102} H2).
   *
   * @param error what the database threw
   * @param component the component whose tables were used, such as {@code outbox}
   * @param names where the component's tables were looked for
   * @param dialect the database's dialect, or null when unknown
   * @return the translated error, or empty when {@code error} is about something else
   */
  public static Optional<MissingSchemaException> of(
      Throwable error, String component, TableNames names, SqlDialect dialect) {
    if (!SqlStates.undefinedTableIn(error)) {
      return Optional.empty();
    }
    return Optional.of(
        new MissingSchemaException(
            message(tableIn(error), component, names, dialect), component, error));
  }

  /** The error for scripts recorded as missing under {@link SchemaPolicy#VALIDATE}. */
  static MissingSchemaException pending(
      String component, java.util.List<String> scripts, TableNames names, SqlDialect dialect) {
    return new MissingSchemaException(
        "Keel schema of "
            + component
            + " in "
            + names
            + " is not up to date (keel.database.schema-policy=VALIDATE): scripts "
            + String.join(", ", scripts)
            + " are not recorded in "
            + names.name("schema_version")
            + ". "
            + howToInstall(component, dialect),
        component,
        null);
  }

  private static String message(
      String table, String component, TableNames names, SqlDialect dialect) {
    return "Keel table "
        + (table != null ? table : "of " + component)
        + " does not exist (tables "
        + names
        + ", component "
        + component
        + "): the schema was not installed. "
        + howToInstall(component, dialect);
  }

  private static String howToInstall(String component, SqlDialect dialect) {
    String folder =
        "keel/sql/" + (dialect == null ? "<dialect>" : dialect.scriptFolder()) + "/" + component;
    return "Install it with KeelDatabase.install(\""
        + component
        + "\"), or start a component with keel.database.schema-policy=INSTALL, or apply the"
        + " scripts of "
        + folder
        + "/ with your migrations.";
  }

  private static String tableIn(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException && t.getMessage() != null) {
        Matcher m = TABLE.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1).replace("\"", "").replace("`", "");
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
