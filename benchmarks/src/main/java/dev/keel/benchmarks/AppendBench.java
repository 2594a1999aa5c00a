package dev.keel.benchmarks;

import dev.keel.outbox.Outbox;
import dev.keel.test.IsolatedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The cost of the outbox inside a business transaction: the same transaction (insert one business
 * row, commit) with and without {@code outbox.append}, one thread, fsync on.
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
    time(transactions / 5, false, outbox, 0);
    time(transactions / 5, true, outbox, 1_000_000);
    // Alternate the two and keep the better of two runs each, so warm-up favours neither.
    double without = time(transactions, false, outbox, 2_000_000);
    double with = time(transactions, true, outbox, 3_000_000);
    without = Math.max(without, time(transactions, false, outbox, 4_000_000));
    with = Math.max(with, time(transactions, true, outbox, 5_000_000));
    report.line("business transaction without outbox", without, Double.NaN, Double.NaN);
    Report.Line l =
        report.line("business transaction + outbox.append", with, Double.NaN, Double.NaN);
    l.ratio("of the transaction without it", with / without);
    // Nothing relays these rows (their topic does not exist): leave no backlog for later benches.
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM keel_outbox WHERE topic = 'append-bench'");
    }
  }

  private double time(int n, boolean withOutbox, Outbox outbox, long firstId) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO bench_orders VALUES (?, ?)")) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        ps.setLong(1, firstId + i);
        ps.setBytes(2, Workload.PAYLOAD);
        ps.executeUpdate();
        if (withOutbox) {
          outbox.append(c, Workload.event("append-bench", i));
        }
        c.commit();
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }
}
