package dev.keel.benchmarks;

import dev.keel.outbox.Outbox;
import dev.keel.test.IsolatedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The cost of the outbox inside a business transaction: the same transaction (insert one business
 * row, commit) with and without {@code outbox.append}, one thread, fsync on. The two alternate
 * transaction by transaction; the rates are transactions over the summed time of each kind.
 */
final class AppendBench {
  private final IsolatedDatabase db;
  private final Report report;

  AppendBench(IsolatedDatabase db, Report report) {
    this.db = db;
    this.report = report;
  }

  void run(int transactions) throws Exception {
    report.section(
        "Append inside a business transaction (" + transactions + " transactions, 1 thread)");
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS bench_orders(id bigint primary key, payload bytea)");
    }
    Outbox outbox = Outbox.builder().build();
    time(transactions / 5, outbox, 0);
    // Transactions without and with the append alternate one by one (which goes first alternates
    // too), so that a busy machine slows both alike and the ratio compares like with like.
    long[][] nanos = time(transactions, outbox, 2 * (long) (transactions / 5));
    double without = transactions / (sum(nanos[0]) / 1e9);
    double with = transactions / (sum(nanos[1]) / 1e9);
    report
        .line("business transaction without outbox", without, Double.NaN, Double.NaN)
        .note("median " + micros(median(nanos[0])) + " us");
    Report.Line l =
        report.line("business transaction + outbox.append", with, Double.NaN, Double.NaN);
    l.ratio("of the transaction without it", with / without);
    l.note("median " + micros(median(nanos[1])) + " us");
    // Nothing relays these rows (their topic does not exist): leave no backlog for later benches.
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM keel_outbox WHERE topic = 'append-bench'");
    }
  }

  /** Per-transaction times in nanoseconds: [0] without the append, [1] with it. */
  private long[][] time(int n, Outbox outbox, long firstId) throws Exception {
    long[][] nanos = new long[2][n];
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO bench_orders VALUES (?, ?)")) {
      c.setAutoCommit(false);
      long id = firstId;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
          boolean withOutbox = (k == 0) == (i % 2 == 0);
          long start = System.nanoTime();
          ps.setLong(1, id++);
          ps.setBytes(2, Workload.PAYLOAD);
          ps.executeUpdate();
          if (withOutbox) {
            outbox.append(c, Workload.event("append-bench", i));
          }
          c.commit();
          nanos[withOutbox ? 1 : 0][i] = System.nanoTime() - start;
        }
      }
    }
    return nanos;
  }

  private static long sum(long[] a) {
    long s = 0;
    for (long x : a) {
      s += x;
    }
    return s;
  }

  private static long median(long[] a) {
    long[] s = a.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }

  private static String micros(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.0f", nanos / 1e3);
  }
}
