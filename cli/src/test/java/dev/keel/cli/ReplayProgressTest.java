package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress of a long replay: how far and how long is left, without flooding the output. */
class ReplayProgressTest {
  private static final long MS = 1_000_000L;

  private final AtomicLong now = new AtomicLong(0);
  private final StringWriter err = new StringWriter();

  @Test
  void aLineSaysHowFarAndHowLongIsLeftAtThePaceSoFar() {
    assertThat(ReplayProgress.line("replay", 1200, 5000, 12_000 * MS))
        .isEqualTo("keel: replayed 1200/5000 (24%), ~38 s left");
    assertThat(ReplayProgress.line("discard", 10, 100, 60_000 * MS))
        .isEqualTo("keel: discarded 10/100 (10%), ~9 min left");
    assertThat(ReplayProgress.line("replay", 5000, 5000, 100_000 * MS))
        .isEqualTo("keel: replayed 5000/5000 (100%)");
    // dead letters that arrived during the action count in the total
    assertThat(ReplayProgress.line("replay", 12, 10, MS)).isEqualTo("keel: replayed 12/12 (100%)");
  }

  @Test
  void onATerminalTheLineIsRedrawnAtMostOnceASecond() {
    ReplayProgress p = new ReplayProgress(new PrintWriter(err), true, now::get);
    for (int i = 1; i <= 5000; i++) {
      now.addAndGet(MS); // 1000 records per second: 5 s
      p.onProgress("replay", i, 5000);
    }
    p.finish();
    String printed = err.toString();
    assertThat(printed.split("\r", -1)).hasSize(5 + 1); // one redraw per second
    assertThat(printed).startsWith("keel: replayed 1000/5000 (20%), ~4 s left\r").endsWith("\n");
    assertThat(printed.chars().filter(c -> c == '\n')).hasSize(1);
  }

  @Test
  void elsewhereALineIsPrintedAtMostEveryTenSeconds() {
    ReplayProgress p = new ReplayProgress(new PrintWriter(err), false, now::get);
    for (int i = 1; i <= 5000; i++) {
      now.addAndGet(10 * MS); // 100 records per second: 50 s
      p.onProgress("replay", i, 5000);
    }
    p.finish();
    assertThat(err.toString().lines())
        .hasSize(5)
        .first()
        .isEqualTo("keel: replayed 1000/5000 (20%), ~40 s left");
    assertThat(err.toString()).doesNotContain("\r");
  }

  @Test
  void anActionThatEndsWithinASecondPrintsNothing() {
    ReplayProgress p = new ReplayProgress(new PrintWriter(err), true, now::get);
    for (int i = 1; i <= 40; i++) {
      now.addAndGet(20 * MS);
      p.onProgress("replay", i, 40);
    }
    p.finish();
    assertThat(err.toString()).isEmpty();
  }
}
