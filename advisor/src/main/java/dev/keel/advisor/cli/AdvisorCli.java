package dev.keel.advisor.cli;

import dev.keel.advisor.Advisor;
import dev.keel.advisor.Mode;
import dev.keel.advisor.Report;
import dev.keel.advisor.Severity;
import dev.keel.advisor.Topology;
import dev.keel.advisor.TopologyException;
import dev.keel.advisor.TopologyYaml;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel-advisor <mode> <topology.yaml> [event] [--event name] [--format markdown|json]
 * [--fail-on severity] [--output file] [--as-of instant]}.
 *
 * <p>Exit codes: 0 done; 1 the review found a finding at or above {@code --fail-on} (whatever the
 * mode, the gate evaluates every review rule); 2 invalid usage, unreadable or invalid topology,
 * unknown event; 3 internal error. The report goes to standard output (or {@code --output}), errors
 * to standard error.
 */
@Command(
    name = "keel-advisor",
    mixinStandardHelpOptions = true,
    version = "keel-advisor 0.1.0",
    description = "Design, review, contract, reliability and migration plans from a Keel topology.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:a review finding at or above --fail-on",
      "2:invalid usage or topology, unknown event",
      "3:internal error"
    })
public final class AdvisorCli implements Callable<Integer> {
  /** Exit code when the gate fails. */
  public static final int GATE_FAILED = 1;

  /** Exit code for invalid usage or input. */
  public static final int INVALID_INPUT = 2;

  /** Exit code for an unexpected failure of the advisor itself. */
  public static final int INTERNAL_ERROR = 3;

  /** The output formats. */
  public enum Format {
    /** GitHub-flavoured Markdown with Mermaid diagrams. */
    MARKDOWN,
    /** Pretty-printed JSON. */
    JSON
  }

  @Parameters(
      index = "0",
      paramLabel = "<mode>",
      description = "design, review, contract, reliability or migration")
  Mode mode;

  @Parameters(index = "1", paramLabel = "<topology.yaml>", description = "the topology file")
  Path topology;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "<event>",
      description = "the event for the contract mode")
  String eventArgument;

  @Option(names = "--event", paramLabel = "<name>", description = "the event for the contract mode")
  String event;

  @Option(
      names = "--format",
      defaultValue = "markdown",
      paramLabel = "<format>",
      description = "markdown (default) or json")
  Format format;

  @Option(
      names = "--fail-on",
      paramLabel = "<severity>",
      description = "exit 1 when the review finds info, warning, error or critical")
  Severity failOn;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "<file>",
      description = "write the report to this file instead of standard output")
  Path output;

  @Option(
      names = "--as-of",
      paramLabel = "<instant>",
      description = "the instant deciding whether deprecation windows have passed (default now)")
  Instant asOf;

  private PrintWriter out;
  private PrintWriter err;

  /** Runs the CLI and exits with its code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  /**
   * Runs the CLI without exiting.
   *
   * @return the exit code
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    AdvisorCli cli = new AdvisorCli();
    cli.out = out;
    cli.err = err;
    CommandLine cmd = new CommandLine(cli).setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(
        (e, c, parsed) -> {
          err.println("keel-advisor: internal error: " + e);
          return INTERNAL_ERROR;
        });
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    try {
      Topology t = TopologyYaml.read(topology);
      Clock clock = asOf == null ? Clock.systemUTC() : Clock.fixed(asOf, ZoneOffset.UTC);
      Advisor advisor = Advisor.builder().clock(clock).build();
      String name = event != null ? event : eventArgument;
      if (mode == Mode.CONTRACT && name == null) {
        err.println("keel-advisor: the contract mode needs an event: --event <name>");
        return INVALID_INPUT;
      }
      Report report = advisor.run(mode, t, name);
      String text = format == Format.JSON ? report.json() : report.markdown();
      if (output == null) {
        out.print(text);
      } else {
        Files.writeString(output, text, StandardCharsets.UTF_8);
      }
      if (failOn != null
          && advisor.findings(t).stream().anyMatch(f -> f.severity().atLeast(failOn))) {
        err.println("keel-advisor: the review has findings at or above " + failOn);
        return GATE_FAILED;
      }
      return 0;
    } catch (TopologyException e) {
      err.println(e.getMessage());
      return INVALID_INPUT;
    } catch (IOException | UncheckedIOException e) {
      err.println("keel-advisor: " + e.getMessage());
      return INVALID_INPUT;
    }
  }
}
