package dev.keel.dlq.cli;

import dev.keel.event.sql.TableNames;
import javax.sql.DataSource;
import picocli.CommandLine.Option;

/**
 * The database options every {@code keel} operator command shares ({@code --jdbc-url}, {@code
 * --db-user}, {@code --db-password-env}, {@code --schema}, {@code --prefix}); a command adds them
 * with picocli's {@code @Mixin} or by extending this class. The password is read from an
 * environment variable, never from the command line, and never echoed.
 */
public class DatabaseOptions {
  @Option(names = "--jdbc-url", required = true, description = "JDBC URL of the database.")
  private String jdbcUrl;

  @Option(names = "--db-user", description = "Database user.")
  private String user;

  @Option(
      names = "--db-password-env",
      defaultValue = "KEEL_DB_PASSWORD",
      description =
          "Environment variable holding the database password (default ${DEFAULT-VALUE}).")
  private String passwordEnv;

  @Option(names = "--schema", description = "Schema of Keel's tables.")
  private String schema;

  @Option(
      names = "--prefix",
      defaultValue = "keel_",
      description = "Table prefix (default ${DEFAULT-VALUE}).")
  private String prefix;

  /** Picocli fills the options. */
  public DatabaseOptions() {}

  /** A data source opening one connection per call, for the command's short life. */
  public DataSource dataSource() {
    String password = passwordEnv == null ? null : System.getenv(passwordEnv);
    return new DriverManagerDataSource(jdbcUrl, user, password);
  }

  /** Keel's table names, validated ({@code --schema}, {@code --prefix}). */
  public TableNames tableNames() {
    return TableNames.of(schema, prefix);
  }
}
