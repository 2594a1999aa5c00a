package dev.keel.cli;

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keel advisor <mode> <topology.yaml> [event] [--event name] [--format markdown|json]
 * [--fail-on severity] [--output file] [--as-of instant]}: the design, review, contract,
 * reliability and migration plans of {@link Advisor}.
 *
 * <p>The report goes to standard output (or {@code --output}), errors to standard error. Exit codes
 * ({@link ExitCodes}): 0 done; 1 the review found a finding at or above {@code --fail-on} (whatever
 * the mode, the gate evaluates every review rule); 2 invalid usage, an unreadable or invalid
 * topology, an unknown event.
 */
@Command(
    name = "advisor",
    mixinStandardHelpOptions = true,
    description = "Design, review, contract, reliability and migration plans from a Keel topology.")
final class AdvisorSubcommand implements Callable<Integer> {

  /** The output formats. */
  enum Format {
    /** GitHub-flavoured Markdown with Mermaid diagrams. */
    MARKDOWN,
    /** Pretty-printed JSON. */
    JSON
  }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Topology t = TopologyYaml.read(topology);
      Clock clock = asOf == null ? Clock.systemUTC() : Clock.fixed(asOf, ZoneOffset.UTC);
      Advisor advisor = Advisor.builder().clock(clock).build();
      String name = event != null ? event : eventArgument;
      if (mode == Mode.CONTRACT && name == null) {
        err.println("keel: the contract mode needs an event: --event <name>");
        return ExitCodes.USAGE;
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
        err.println("keel: the review has findings at or above " + failOn + " (--fail-on)");
        return ExitCodes.REFUSED;
      }
      return ExitCodes.OK;
    } catch (TopologyException e) {
      err.println(e.getMessage());
      return ExitCodes.USAGE;
    } catch (IOException | UncheckedIOException e) {
      err.println("keel: " + e.getMessage());
      return ExitCodes.USAGE;
    }
  }
}
