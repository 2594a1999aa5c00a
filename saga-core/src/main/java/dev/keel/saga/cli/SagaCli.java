package dev.keel.saga.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs {@code saga} commands on their own (without dlq-core's {@code keel} launcher): {@code java
 * -cp ... dev.keel.saga.cli.SagaCli list --jdbc-url ...}. Exit code 0 on success, 1 when the
 * command failed, 2 for a usage error.
 */
public final class SagaCli {
  private SagaCli() {}

  /**
   * Runs the command and exits with its code.
   *
   * @param args the arguments after {@code saga}
   */
  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command in-process.
   *
   * @param out where results go
   * @param err where errors go
   * @param args the arguments after {@code saga}
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new SagaCommand());
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
}
