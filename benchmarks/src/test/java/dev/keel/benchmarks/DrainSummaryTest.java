package dev.keel.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainSummaryTest {
  private static final int ROWS = 1000;

  /** A ROUND line for a drain at {@code rate} records/s. */
  private static String round(String id, int round, boolean warmup, int position, double rate) {
    long nanos = Math.round(ROWS / rate * 1e9);
    return String.format(
        "ROUND %s %d %d %d %d %d %d %.0f %.0f %d %d %.3f %.3f %.3f %s",
        id,
        round,
        warmup ? 1 : 0,
        position,
        nanos,
        nanos / 10,
        nanos / 2,
        rate,
        rate,
        1L << 20,
        3,
        0.5,
        2.0,
        1.0,
        "600,400");
  }

  private static List<String> output() {
    List<String> lines = new ArrayList<>();
    lines.add("JVM test VM 17");
    lines.add("CONTENDER raw raw idempotent producer (ceiling)");
    lines.add("CONTENDER loop-500 hand-written loop, batch 500");
    lines.add("CONTENDER loop-2000 hand-written loop, batch 2000");
    lines.add("CONTENDER keel Keel relay");
    lines.add("round 1 (warm-up) lines for people are ignored");
    // A slow warm-up that would pull every median down if it were counted.
    lines.add(round("raw", 0, true, 0, 1_000));
    lines.add(round("loop-500", 0, true, 1, 1_000));
    lines.add(round("loop-2000", 0, true, 2, 1_000));
    lines.add(round("keel", 0, true, 3, 1_000));
    double[][] rates = {
      {100_000, 10_000, 20_000, 15_000},
      {120_000, 12_000, 18_000, 12_000},
      {80_000, 8_000, 16_000, 16_000},
    };
    String[] ids = {"raw", "loop-500", "loop-2000", "keel"};
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        lines.add(round(ids[c], r + 1, false, (c + r) % 4, rates[r][c]));
      }
    }
    return lines;
  }

  @Test
  void mediansAreOverTheMeasuredRoundsOnly() {
    DrainSummary s = new DrainSummary(output(), ROWS);
    assertThat(s.medianRate("raw")).isCloseTo(100_000, within(1.0));
    assertThat(s.medianRate("loop-2000")).isCloseTo(18_000, within(1.0));
    assertThat(s.medianRate("keel")).isCloseTo(15_000, within(1.0));
    assertThat(s.rounds("keel")).hasSize(3);
    assertThat(s.medianRound("keel").round()).isEqualTo(1);
    assertThat(s.jvm()).isEqualTo("test VM 17");
  }

  @Test
  void ratiosArePairedRoundByRound() {
    DrainSummary s = new DrainSummary(output(), ROWS);
    assertThat(s.pairedRatios("keel", "loop-500"))
        .containsExactly(new double[] {1.0, 1.5, 2.0}, within(1e-6));
    assertThat(s.pairedRatios("keel", "loop-2000"))
        .containsExactly(new double[] {12.0 / 18, 0.75, 1.0}, within(1e-6));
  }

  @Test
  void theTableShowsRatiosOfMediansWithTheirRoundByRoundSpread() {
    String table = new DrainSummary(output(), ROWS).table();
    assertThat(table)
        .contains("Keel relay")
        .contains("1.50x [1.50 (1.00-2.00)]")
        .contains("0.83x [0.75 (0.67-1.00)]");
    // The machine's busy share, 0.5 in every round.
    assertThat(table).contains(" busy ").containsPattern("Keel relay .* 50% ");
    // PostgreSQL's and the broker's CPU per 1,000 records: 2 s and 1 s over 1,000 records.
    assertThat(table).containsPattern("Keel relay .* 2\\.0000 +1\\.0000 +50% ");
    // Rounds 2 to 4 are listed; the warm-up round 1 is not.
    assertThat(table).containsPattern("(?m)^2 ").containsPattern("(?m)^4 ");
    assertThat(table).doesNotContainPattern("(?m)^1 ");
  }

  @Test
  void anEvenNumberOfValuesHasTheMeanOfTheMiddleTwoAsMedian() {
    assertThat(DrainSummary.median(List.of(4.0, 1.0, 3.0, 2.0), d -> d)).isEqualTo(2.5);
    assertThat(DrainSummary.median(List.of(Double.NaN, 7.0), d -> d)).isEqualTo(7.0);
  }

  @Test
  void theMachinesBusyShareIsTheTicksNotIdleBetweenTwoReadings() {
    assertThat(DrainRounds.busyFraction(new long[] {100, 40}, new long[] {300, 90}))
        .isCloseTo(0.75, within(1e-9));
    assertThat(DrainRounds.busyFraction(null, new long[] {300, 90})).isNaN();
    assertThat(DrainRounds.busyFraction(new long[] {300, 90}, new long[] {300, 90})).isNaN();
    long[] now = DrainRounds.machineTicks();
    long[] processes = DrainRounds.processTicks();
    if (Files.exists(Path.of("/proc/stat"))) {
      assertThat(now).hasSize(2);
      assertThat(now[0]).isGreaterThanOrEqualTo(now[1]).isPositive();
      assertThat(processes).hasSize(2);
      assertThat(processes[0]).isNotNegative();
    } else {
      assertThat(now).isNull();
      assertThat(processes).isNull();
    }
    assertThat(DrainRounds.tickSeconds(new long[] {100, 50}, new long[] {350, 60}))
        .containsExactly(2.5, 0.1);
    assertThat(DrainRounds.tickSeconds(null, new long[] {1, 1})).containsOnly(Double.NaN);
  }

  @Test
  void anOutputWithoutMeasuredRoundsIsAnError() {
    List<String> lines = output().subList(0, 10);
    assertThatThrownBy(() -> new DrainSummary(lines, ROWS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no measured rounds");
  }

  @Test
  void writesTheChartAndOneCsvLinePerMeasuredDrain(@TempDir Path dir) throws Exception {
    DrainSummary s = new DrainSummary(output(), ROWS);
    s.writeChart(dir.resolve("c.svg"), "test");
    s.writeCsv(dir.resolve("r.csv"));
    assertThat(Files.readString(dir.resolve("c.svg"))).startsWith("<svg").contains("Keel relay");
    assertThat(Files.readAllLines(dir.resolve("r.csv"))).hasSize(1 + 12);
  }
}
