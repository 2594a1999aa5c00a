package dev.keel.cli;

import dev.keel.dlq.spi.DeadLetterListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints how far a {@code keel dlq replay} or {@code discard} is and how long is left, to standard
 * error: {@code replayed 1200/5000 (24%), ~38 s left}. On a terminal the line is redrawn in place
 * at most once a second; elsewhere (a log file, a CI job) a new line is printed at most every
 * {@value #PIPE_INTERVAL_SECONDS} seconds, so that the output is not flooded. An action that ends
 * within its first second prints nothing. Confined to the thread running the action.
 */
final class ReplayProgress implements DeadLetterListener {
  /** Seconds between two lines when standard error is not a terminal. */
  static final int PIPE_INTERVAL_SECONDS = 10;

  /** The monotonic clock of the JVM. */
  static final LongSupplier SYSTEM_NANOS = System::nanoTime;

  private static final long SECOND = 1_000_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final LongSupplier nanos;
  private final long interval;
  private final long start;
  private long last;
  private boolean redrawn;

  /**
   * @param err where progress goes
   * @param terminal whether {@code err} is a terminal
   * @param nanos a monotonic clock in nanoseconds
   */
  ReplayProgress(PrintWriter err, boolean terminal, LongSupplier nanos) {
    this.err = err;
    this.terminal = terminal;
    this.nanos = nanos;
    this.interval = terminal ? SECOND : PIPE_INTERVAL_SECONDS * SECOND;
    this.start = nanos.getAsLong();
    this.last = start;
  }

  @Override
  public void onProgress(String action, long handled, long selected) {
    long now = nanos.getAsLong();
    if (now - last < interval) {
      return;
    }
    last = now;
    String line = line(action, handled, selected, now - start);
    if (terminal) {
      err.print(line + "\r");
      redrawn = true;
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Ends a line redrawn in place, so that what follows starts on a line of its own. */
  void finish() {
    if (redrawn) {
      err.println();
      err.flush();
      redrawn = false;
    }
  }

  /** {@code replayed 1200/5000 (24%), ~38 s left}: the rest at the pace so far. */
  static String line(String action, long handled, long selected, long elapsedNanos) {
    long total = Math.max(handled, selected);
    String verb = action.endsWith("e") ? action + "d" : action + "ed";
    int percent = total == 0 ? 100 : (int) (handled * 100 / total);
    String left = "";
    if (handled > 0 && handled < total) {
      long leftSeconds =
          (long) Math.ceil((double) elapsedNanos * (total - handled) / handled / SECOND);
      left = ", ~" + duration(leftSeconds) + " left";
    }
    return String.format(
        Locale.ROOT, "keel: %s %d/%d (%d%%)%s", verb, handled, total, percent, left);
  }

  private static String duration(long seconds) {
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 2 * 3600) {
      return (seconds + 30) / 60 + " min";
    }
    return seconds / 3600 + " h " + (seconds % 3600 + 30) / 60 + " min";
  }
}
