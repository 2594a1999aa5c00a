package dev.keel.cli;

import dev.keel.event.support.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code keel} command: {@code keel dlq}, {@code keel saga}, {@code keel outbox} and {@code
 * keel advisor}, run from the executable jar the build makes ({@code cli/target/keel.jar}, or
 * {@code bin/keel} in the repository):
 *
 * <pre>
 * export KEEL_JDBC_URL=jdbc:postgresql://db:5432/app KEEL_DB_USER=keel_operator KEEL_DB_PASSWORD=...
 * keel dlq list --topic orders --reason validation
 * keel saga list
 * keel outbox quarantined
 * keel advisor review topology.yaml --fail-on error
 * </pre>
 *
 * Every subcommand exits with a code of {@link ExitCodes}, printed by {@code keel --help}. What is
 * printed never carries the database password or a secret of a {@code --kafka-config} file, and
 * stored text is escaped. Not thread-safe; one instance per invocation.
 */
@Command(
    name = "keel",
    mixinStandardHelpOptions = true,
    versionProvider = KeelCli.Version.class,
    description = "Keel operator commands.",
    exitCodeListHeading = "%nExit codes:%n",
    subcommands = {
      DlqSubcommand.class,
      SagaSubcommand.class,
      OutboxSubcommand.class,
      AdvisorSubcommand.class
    })
public final class KeelCli implements Runnable {
  /**
   * The environment variable listing, comma-separated, the topics that {@code keel dlq replay
   * --target} may name besides each dead letter's own topic: configuration of the deployment, not
   * an option of the command that uses it.
   */
  public static final String ALLOWED_TARGETS_ENV = "KEEL_DLQ_ALLOWED_TARGETS";

  private final Map<String, String> environment;
  private final boolean terminal;
  private DatabaseOptions database;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private KeelCli(Map<String, String> environment, boolean terminal) {
    this.environment = environment;
    this.terminal = terminal;
  }

  /** The environment variables of the {@code keel} invocation a command belongs to. */
  static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
    Object root = spec.root().userObject();
    return root instanceof KeelCli k ? k.environment : System.getenv();
  }

  /** Whether standard error is a terminal (progress is then redrawn in place). */
  static boolean terminal(CommandLine.Model.CommandSpec spec) {
    return spec.root().userObject() instanceof KeelCli k && k.terminal;
  }

  /** Notes the database a command connects to, for the error message if the connection fails. */
  static void database(CommandLine.Model.CommandSpec spec, DatabaseOptions options) {
    if (spec.root().userObject() instanceof KeelCli k) {
      k.database = options;
    }
  }

  /**
   * Runs the command and exits with its code ({@link ExitCodes}).
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(out, err, System.getenv(), System.console() != null, args));
  }

  /**
   * Runs the command in-process, with the process's environment.
   *
   * @param out where results go
   * @param err where errors and progress go
   * @param args the arguments
   * @return the exit code ({@link ExitCodes})
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /**
   * Runs the command in-process with the given environment variables instead of the process's:
   * where the database ({@code KEEL_JDBC_URL}, {@code KEEL_DB_USER}, {@code KEEL_DB_PASSWORD}), the
   * broker ({@code KEEL_KAFKA_BOOTSTRAP}), the operator's identity ({@code KEEL_ACTOR}) and the
   * replay targets the deployment allows ({@value #ALLOWED_TARGETS_ENV}) are read from.
   *
   * @param out where results go
   * @param err where errors and progress go
   * @param environment the environment variables
   * @param args the arguments
   * @return the exit code ({@link ExitCodes})
   */
  public static int run(
      PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
    return run(out, err, environment, false, args);
  }

  private static int run(
      PrintWriter out,
      PrintWriter err,
      Map<String, String> environment,
      boolean terminal,
      String... args) {
    Map<String, String> env = Map.copyOf(environment);
    List<String> secrets = knownSecrets(env, args);
    PrintWriter safeOut = new PrintWriter(new RedactingWriter(out, secrets));
    PrintWriter safeErr = new PrintWriter(new RedactingWriter(err, secrets));
    KeelCli root = new KeelCli(env, terminal);
    CommandLine cl = new CommandLine(root);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.getCommandSpec().usageMessage().exitCodeList(ExitCodes.table());
    cl.setOut(safeOut);
    cl.setErr(safeErr);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println(Failures.line(Failures.message(e, root.database)));
          commandLine.getErr().flush();
          return Failures.exitCode(e);
        });
    int code = cl.execute(args);
    safeOut.close(); // writes a last unfinished line; flushes, leaves the caller's writer open
    safeErr.close();
    return code;
  }

  /**
   * The secret values this invocation can reach, to be masked wherever they would be printed: the
   * database password (from {@code KEEL_DB_PASSWORD} or the variable {@code --db-password-env}
   * names) and the secret settings of a {@code --kafka-config} file.
   */
  static List<String> knownSecrets(Map<String, String> env, String... args) {
    List<String> secrets = new ArrayList<>();
    String passwordEnv = DatabaseOptions.PASSWORD_ENV;
    String kafkaConfig = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String next = i + 1 < args.length ? args[i + 1] : null;
      if (a.equals("--db-password-env") && next != null) {
        passwordEnv = next;
      } else if (a.startsWith("--db-password-env=")) {
        passwordEnv = a.substring("--db-password-env=".length());
      } else if (a.equals("--kafka-config") && next != null) {
        kafkaConfig = next;
      } else if (a.startsWith("--kafka-config=")) {
        kafkaConfig = a.substring("--kafka-config=".length());
      }
    }
    secrets.add(env.get(passwordEnv));
    secrets.add(env.get(DatabaseOptions.PASSWORD_ENV));
    if (kafkaConfig != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(Path.of(kafkaConfig))) {
        p.load(in);
        Map<String, Object> props = new HashMap<>();
        p.forEach((k, v) -> props.put(k.toString(), v));
        secrets.addAll(Secrets.secretValues(props));
      } catch (IOException | RuntimeException e) {
        // the command itself reports an unreadable file
      }
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    return secrets;
  }

  /** Without a subcommand: a usage error listing the subcommands. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing command: keel dlq, keel saga, keel outbox or keel advisor (keel --help)");
  }

  /** {@code keel --version}: the version the build wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"keel " + version()};
    }

    /** The build's version of this command. */
    static String version() {
      Properties p = new Properties();
      try (InputStream in = KeelCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException("version.properties is missing from the keel jar");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version");
    }
  }
}
