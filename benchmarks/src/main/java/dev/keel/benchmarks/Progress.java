package dev.keel.benchmarks;

import java.util.Arrays;

/**
 * The timeline of one drain: records done per time bucket, when the first fifth and the last fifth
 * of the backlog were drained, and when the last record was. Contenders report each batch they
 * finished (acknowledged by Kafka and, for relays, removed from the table).
 *
 * <p>Thread safety: {@link #add} may be called from several threads.
 */
public final class Progress {
  /** Width of a bucket of the drain-rate timeline. */
  public static final long BUCKET_NANOS = 50_000_000L;

  private final int total;
  private final long start;
  private long[] buckets = new long[64];
  private int lastBucket = -1;
  private long done;
  private long firstAt = -1;
  private long fifthAt = -1;
  private long fifthCount;
  private long fourFifthsAt = -1;
  private long fourFifthsCount;
  private long endAt = -1;

  /**
   * Starts the clock now.
   *
   * @param total the number of records the drain is complete at
   */
  public Progress(int total) {
    if (total <= 0) {
      throw new IllegalArgumentException("total must be positive, was " + total);
    }
    this.total = total;
    this.start = System.nanoTime();
  }

  /** Records that {@code n} more records are done. */
  public synchronized void add(int n) {
    long now = System.nanoTime();
    int b = (int) ((now - start) / BUCKET_NANOS);
    if (b >= buckets.length) {
      buckets = Arrays.copyOf(buckets, Math.max(b + 1, buckets.length * 2));
    }
    buckets[b] += n;
    lastBucket = Math.max(lastBucket, b);
    if (done == 0) {
      firstAt = now;
    }
    done += n;
    if (fifthAt < 0 && done * 5 >= total) {
      fifthAt = now;
      fifthCount = done;
    }
    if (fourFifthsAt < 0 && done * 5 >= 4L * total) {
      fourFifthsAt = now;
      fourFifthsCount = done;
    }
    if (endAt < 0 && done >= total) {
      endAt = now;
      notifyAll();
    }
  }

  /** How many records are done. */
  public synchronized long done() {
    return done;
  }

  /**
   * Waits until every record is done.
   *
   * @param timeoutMillis how long to wait at most
   * @throws IllegalStateException when the drain did not complete in time
   */
  public synchronized void await(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (endAt < 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException(
            "drain not complete after " + timeoutMillis + " ms: " + done + " of " + total);
      }
      wait(Math.max(1, left / 1_000_000L));
    }
  }

  /** The numbers of a complete drain; fails when it is not complete. */
  public synchronized Result result() {
    if (endAt < 0) {
      throw new IllegalStateException("drain not complete: " + done + " of " + total);
    }
    double firstFifth = fifthCount / ((fifthAt - start) / 1e9);
    // From the report that crossed four fifths to the end; NaN when that report was the last.
    double lastFifth =
        endAt > fourFifthsAt
            ? (total - fourFifthsCount) / ((endAt - fourFifthsAt) / 1e9)
            : Double.NaN;
    return new Result(
        endAt - start,
        firstAt - start,
        firstFifth,
        lastFifth,
        Arrays.copyOf(buckets, lastBucket + 1));
  }

  /**
   * One drain's numbers.
   *
   * @param nanos from the start of the clock to the last record
   * @param firstNanos from the start of the clock to the first report
   * @param firstFifthRate records/s over the first fifth of the backlog (from the start)
   * @param lastFifthRate records/s over the last fifth of the backlog
   * @param buckets records done in each {@link #BUCKET_NANOS} from the start
   */
  public record Result(
      long nanos, long firstNanos, double firstFifthRate, double lastFifthRate, long[] buckets) {}
}
