package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code keel advisor}: the advisor's modes, its gate and its exit codes. */
class AdvisorSubcommandTest {
  /** The advisor's example topology, as the README's commands name it from the repository root. */
  private static final String EXAMPLE =
      "../advisor/src/main/resources/examples/order-fulfillment.yaml";

  private static final String BROKEN = "src/test/resources/broken-topology.yaml";
  private static final String AS_OF = "--as-of=2026-11-27T00:00:00Z";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of("advisor"));
    all.addAll(List.of(args));
    all.add(AS_OF);
    return KeelCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
  }

  @Test
  void clean_example_passes_the_strictest_gate() {
    assertThat(run("review", EXAMPLE, "--fail-on", "info")).isZero();
    assertThat(out.toString()).startsWith("# Review: order-fulfillment").contains("No findings");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void broken_topology_fails_the_gate_at_each_present_severity() {
    assertThat(run("review", BROKEN, "--fail-on", "critical")).isEqualTo(ExitCodes.REFUSED);
    assertThat(err.toString()).contains("at or above CRITICAL");
    assertThat(run("review", BROKEN, "--fail-on", "WARNING")).isEqualTo(ExitCodes.REFUSED);
  }

  @Test
  void without_fail_on_findings_do_not_change_the_exit_code() {
    assertThat(run("review", BROKEN)).isZero();
    assertThat(out.toString()).contains("14 findings");
  }

  @Test
  void the_gate_applies_whatever_the_mode() {
    assertThat(run("design", BROKEN, "--fail-on", "error")).isEqualTo(ExitCodes.REFUSED);
    assertThat(out.toString()).startsWith("# Design: broken-shop");
  }

  @Test
  void json_output_parses() throws IOException {
    assertThat(run("review", BROKEN, "--format", "json")).isZero();
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertThat(root.path("mode").asText()).isEqualTo("review");
    assertThat(root.path("findings")).hasSize(14);
    assertThat(root.path("findings").get(0).path("rule").asText()).startsWith("KEEL-R");
    assertThat(root.path("blocks").isArray()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"design", "review", "reliability", "migration"})
  void every_mode_renders_json(String mode) throws IOException {
    assertThat(run(mode, EXAMPLE, "--format=json")).isZero();
    assertThat(new ObjectMapper().readTree(out.toString()).path("mode").asText()).isEqualTo(mode);
  }

  @Test
  void contract_takes_the_event_as_option_or_argument() {
    assertThat(run("contract", EXAMPLE, "--event", "order.placed")).isZero();
    String byOption = out.toString();
    out.getBuffer().setLength(0);
    assertThat(run("contract", EXAMPLE, "order.placed")).isZero();
    assertThat(out.toString()).isEqualTo(byOption).startsWith("# Contract: order.placed");
  }

  @Test
  void contract_without_or_with_an_unknown_event_is_invalid_input() {
    assertThat(run("contract", EXAMPLE)).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("needs an event");
    assertThat(run("contract", EXAMPLE, "--event", "order.payed")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("has no event or command 'order.payed'");
  }

  @Test
  void invalid_topology_prints_the_line_and_exits_2(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("topology.yaml");
    Files.writeString(bad, "system: s\nservices:\n  - name: a\n    ownr: x\n");
    assertThat(run("review", bad.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith("topology.yaml:4: unknown key 'ownr' in service 'a'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void usage_errors_exit_2() {
    assertThat(run("advise", EXAMPLE)).isEqualTo(ExitCodes.USAGE);
    assertThat(run("review", "missing.yaml")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("review", EXAMPLE, "--fail-on", "fatal")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void output_option_writes_the_report_to_a_file(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("plan.md");
    assertThat(run("reliability", EXAMPLE, "--output", file.toString())).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .startsWith("# Reliability plan: order-fulfillment");
  }

  @Test
  void help_names_the_modes_and_the_gate() {
    assertThat(KeelCli.run(new PrintWriter(out), new PrintWriter(err), "advisor", "--help"))
        .isZero();
    assertThat(out.toString()).contains("keel advisor", "--fail-on", "review");
  }
}
