package dev.keel.cli;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.Secrets;
import dev.keel.event.support.Values;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The database options every {@code keel} command that reads tables shares ({@code --jdbc-url},
 * {@code --db-user}, {@code --db-password-env}, {@code --schema}, {@code --prefix}), each flag
 * falling back to an environment variable: {@value #URL_ENV}, {@value #USER_ENV} and the password
 * in {@value #PASSWORD_ENV}. The password is read from the environment only, never from the command
 * line, and never echoed. There is no default user: without {@code --db-user}, {@value #USER_ENV}
 * or a {@code user=} in the URL the command stops with a usage error instead of trying the
 * operating-system user.
 */
class DatabaseOptions {
  /** The JDBC URL when {@code --jdbc-url} is not given. */
  static final String URL_ENV = "KEEL_JDBC_URL";

  /** The database user when {@code --db-user} is not given. */
  static final String USER_ENV = "KEEL_DB_USER";

  /** The environment variable holding the password unless {@code --db-password-env} names one. */
  static final String PASSWORD_ENV = "KEEL_DB_PASSWORD";

  private static final Pattern URL_USER = Pattern.compile("[?&;]user=([^&;]+)");
  private static final Pattern USER_INFO = Pattern.compile("//([^:@/?]+)(?::[^@/]*)?@");

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(
      names = "--jdbc-url",
      paramLabel = "<url>",
      description = "JDBC URL of the database (default: $" + URL_ENV + ").")
  private String jdbcUrl;

  @Option(
      names = "--db-user",
      paramLabel = "<user>",
      description = "Database user (default: $" + USER_ENV + ", else user= in the URL).")
  private String user;

  @Option(
      names = "--db-password-env",
      paramLabel = "<variable>",
      defaultValue = PASSWORD_ENV,
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

  private String userSource;

  /** Picocli fills the options. */
  DatabaseOptions() {}

  private Map<String, String> env() {
    return mixee == null ? System.getenv() : KeelCli.environment(mixee);
  }

  /**
   * A data source opening one connection per call, for the command's short life.
   *
   * @throws KeelConfigurationException naming the flags and variables when the URL or the user is
   *     missing
   */
  DataSource dataSource() {
    if (mixee != null) {
      KeelCli.database(mixee, this);
    }
    String url = url();
    String who = resolveUser(url);
    String password = passwordEnv == null ? null : env().get(passwordEnv);
    DataSource ds = new DriverManagerDataSource(url, who, password);
    try (java.sql.Connection probe = ds.getConnection()) {
      return ds; // reached and logged in: what fails later is not the connection
    } catch (java.sql.SQLException e) {
      throw new Unreachable(e);
    }
  }

  /** The database could not be reached or refused the login; the driver's error is the cause. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(java.sql.SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private String url() {
    if (jdbcUrl != null && !jdbcUrl.isBlank()) {
      return jdbcUrl;
    }
    String fromEnv = env().get(URL_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    throw new KeelConfigurationException(
        "no database: give --jdbc-url <url> or set " + URL_ENV + " in the environment");
  }

  /** The user to log in as, or null when the URL names it; never the operating-system user. */
  private String resolveUser(String url) {
    if (user != null && !user.isBlank()) {
      userSource = "--db-user";
      return user;
    }
    String fromEnv = env().get(USER_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      userSource = USER_ENV;
      return fromEnv.trim();
    }
    if (URL_USER.matcher(url).find() || USER_INFO.matcher(url).find()) {
      userSource = "the JDBC URL";
      return null;
    }
    throw new KeelConfigurationException(
        "no database user: give --db-user <user> or set "
            + USER_ENV
            + " (or user= in the JDBC URL); keel does not fall back to the operating-system user");
  }

  /** The user tried and where it came from, quoted, for error messages. */
  String describeUser() {
    String url = jdbcUrl != null ? jdbcUrl : env().get(URL_ENV);
    String name = user;
    if ((name == null || name.isBlank()) && "the JDBC URL".equals(userSource) && url != null) {
      Matcher m = URL_USER.matcher(url);
      Matcher u = USER_INFO.matcher(url);
      name = m.find() ? m.group(1) : u.find() ? u.group(1) : null;
    } else if ((name == null || name.isBlank()) && USER_ENV.equals(userSource)) {
      name = env().get(USER_ENV);
    }
    return (name == null ? "(none)" : Values.quote(name.trim()))
        + (userSource == null ? "" : " from " + userSource);
  }

  /** The URL with any password masked. */
  String describeUrl() {
    String url = jdbcUrl != null ? jdbcUrl : env().get(URL_ENV);
    return url == null ? "(none)" : Values.escape(Secrets.redact(url));
  }

  /** The environment variable the password is read from. */
  String passwordEnvName() {
    return passwordEnv == null ? PASSWORD_ENV : passwordEnv;
  }

  /** Keel's table names, validated ({@code --schema}, {@code --prefix}). */
  TableNames tableNames() {
    return TableNames.of(schema, prefix);
  }
}
