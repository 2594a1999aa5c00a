package dev.keel.dlq.cli;

import dev.keel.event.sql.TableNames;
import java.util.Map;
import javax.sql.DataSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The database options every {@code keel} operator command shares ({@code --jdbc-url}, {@code
 * --db-user}, {@code --db-password-env}, {@code --schema}, {@code --prefix}); a command adds them
 * with picocli's {@code @Mixin} or by extending this class. The password is read from an
 * environment variable, never from the command line, and never echoed.
 */
public class DatabaseOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

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
    Map<String, String> env = mixee == null ? System.getenv() : KeelCli.environment(mixee);
    String password = passwordEnv == null ? null : env.get(passwordEnv);
    return new DriverManagerDataSource(jdbcUrl, user, password);
  }

  /** Keel's table names, validated ({@code --schema}, {@code --prefix}). */
  public TableNames tableNames() {
    return TableNames.of(schema, prefix);
  }
}
