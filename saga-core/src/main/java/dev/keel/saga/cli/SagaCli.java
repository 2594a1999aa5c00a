package dev.keel.saga.cli;

import dev.keel.dlq.cli.KeelCli;
import java.io.PrintWriter;

/**
 * Runs {@code saga} commands without naming the {@code keel} launcher: {@code java -cp ...
 * dev.keel.saga.cli.SagaCli list --jdbc-url ...} is {@code keel saga list --jdbc-url ...}. Exit
 * code 0 on success, 1 when the command failed, 2 for a usage error.
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
    return run(out, err, System.getenv(), args);
  }

  /**
   * Runs the command in-process with the given environment variables (where the operator's identity
   * and the database password are read from; see {@link KeelCli#run(PrintWriter, PrintWriter,
   * java.util.Map, String...)}).
   *
   * @param out where results go
   * @param err where errors go
   * @param environment the environment variables
   * @param args the arguments after {@code saga}
   * @return the exit code
   */
  public static int run(
      PrintWriter out, PrintWriter err, java.util.Map<String, String> environment, String... args) {
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "saga";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    return KeelCli.run(out, err, environment, withCommand);
  }
}
