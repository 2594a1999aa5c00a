package dev.keel.dlq.cli;

import dev.keel.event.internal.Secrets;
import dev.keel.event.internal.Values;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code keel} command line. Operators use {@code keel dlq list|show|replay|discard|audit}:
 *
 * <pre>
 * keel dlq list    --jdbc-url jdbc:postgresql://db/app --topic orders --reason validation
 * keel dlq show 42 --jdbc-url ... --payload
 * keel dlq replay  --jdbc-url ... --bootstrap-servers kafka:9092 --key order-42 --actor alice
 * keel dlq discard --jdbc-url ... --id 42 --actor alice
 * </pre>
 *
 * Other modules add subcommands through {@link KeelCliExtension} (saga-core adds {@code keel
 * saga}). Exit code 0 on success, 1 when the command failed (or a replay refused a dead letter), 2
 * for a usage error. Not thread-safe; one instance per invocation.
 */
@Command(
    name = "keel",
    mixinStandardHelpOptions = true,
    version = "keel 0.1.0",
    description = "Keel operator commands.",
    subcommands = {DlqCommand.class})
public final class KeelCli implements Runnable {
  /**
   * The environment variable listing, comma-separated, the topics that {@code keel dlq replay
   * --target} may name besides each dead letter's own topic: configuration of the deployment, not
   * an option of the command that uses it.
   */
  public static final String ALLOWED_TARGETS_ENV = "KEEL_DLQ_ALLOWED_TARGETS";

  private final Map<String, String> environment;

  private KeelCli(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * The environment variables of the {@code keel} invocation a command belongs to.
   *
   * @param spec any command's spec in the invocation
   */
  public static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
    Object root = spec.root().userObject();
    return root instanceof KeelCli k ? k.environment : System.getenv();
  }

  /**
   * Runs the CLI and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the CLI in-process.
   *
   * @param out where results go
   * @param err where errors go
   * @param args the arguments
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /**
   * Runs the CLI in-process with the given environment variables instead of the process's: where
   * the database password ({@code KEEL_DB_PASSWORD}), the operator's identity ({@link
   * OperatorIdentity}) and the replay targets the deployment allows ({@value #ALLOWED_TARGETS_ENV})
   * are read from.
   *
   * @param out where results go
   * @param err where errors go
   * @param environment the environment variables
   * @param args the arguments
   * @return the exit code
   */
  public static int run(
      PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
    Map<String, String> env = Map.copyOf(environment);
    java.util.List<String> secrets = knownSecrets(env, args);
    PrintWriter safeOut = new PrintWriter(new RedactingWriter(out, secrets));
    PrintWriter safeErr = new PrintWriter(new RedactingWriter(err, secrets));
    CommandLine cl = new CommandLine(new KeelCli(env));
    for (KeelCliExtension extension : ServiceLoader.load(KeelCliExtension.class)) {
      if (!cl.getSubcommands().containsKey(extension.name())) {
        cl.addSubcommand(extension.name(), extension.command());
      }
    }
    cl.setOut(safeOut);
    cl.setErr(safeErr);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("keel: " + Values.escape(e.getMessage()));
          commandLine.getErr().flush();
          return 1;
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
  static java.util.List<String> knownSecrets(Map<String, String> env, String... args) {
    java.util.List<String> secrets = new java.util.ArrayList<>();
    String passwordEnv = "KEEL_DB_PASSWORD";
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
    if (kafkaConfig != null) {
      java.util.Properties p = new java.util.Properties();
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of(kafkaConfig))) {
        p.load(in);
        java.util.Map<String, Object> props = new java.util.HashMap<>();
        p.forEach((k, v) -> props.put(k.toString(), v));
        secrets.addAll(Secrets.secretValues(props));
      } catch (java.io.IOException | RuntimeException e) {
        // the command itself reports an unreadable file
      }
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    return secrets;
  }

  /** Without a subcommand: a usage error pointing at {@code keel dlq --help}. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "Missing command: try 'keel dlq --help'");
  }
}
