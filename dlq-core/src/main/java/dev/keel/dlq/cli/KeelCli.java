package dev.keel.dlq.cli;

import java.io.PrintWriter;
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
 * saga}). Exit code 0 on success, 1 when the command failed, 2 for a usage error. Not thread-safe;
 * one instance per invocation.
 */
@Command(
    name = "keel",
    mixinStandardHelpOptions = true,
    version = "keel 0.1.0",
    description = "Keel operator commands.",
    subcommands = {DlqCommand.class})
public final class KeelCli implements Runnable {

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
    CommandLine cl = new CommandLine(new KeelCli());
    for (KeelCliExtension extension : ServiceLoader.load(KeelCliExtension.class)) {
      if (!cl.getSubcommands().containsKey(extension.name())) {
        cl.addSubcommand(extension.name(), extension.command());
      }
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("keel: " + e.getMessage());
          commandLine.getErr().flush();
          return 1;
        });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** Without a subcommand: a usage error pointing at {@code keel dlq --help}. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "Missing command: try 'keel dlq --help'");
  }
}
