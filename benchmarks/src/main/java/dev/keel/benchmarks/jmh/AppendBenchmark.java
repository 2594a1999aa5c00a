package dev.keel.benchmarks.jmh;

import dev.keel.benchmarks.Workload;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@code outbox.append} inside a business transaction: one thread commits transactions
 * that insert one business row, with and without appending one event (256 B) to the outbox, on
 * PostgreSQL with fsync and synchronous commit on (started once per trial). Nothing relays the
 * outbox rows; each iteration starts with both tables empty.
 *
 * <pre>
 * java -cp benchmarks/target/keel-benchmarks.jar org.openjdk.jmh.Main AppendBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class AppendBenchmark {
  private Database postgres;
  private IsolatedDatabase db;
  private Connection connection;
  private PreparedStatement insert;
  private Outbox outbox;
  private long next;

  /** Starts PostgreSQL, installs the outbox and creates the business table. */
  @Setup(Level.Trial)
  public void startTrial() throws Exception {
    postgres = Database.embeddedPostgres(Workload.POSTGRES);
    db = postgres.createIsolated("jmh");
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    connection = db.dataSource().getConnection();
    try (Statement st = connection.createStatement()) {
      st.execute("CREATE TABLE bench_orders(id bigint PRIMARY KEY, payload bytea)");
    }
    connection.setAutoCommit(false);
    insert = connection.prepareStatement("INSERT INTO bench_orders VALUES (?, ?)");
    outbox = Outbox.builder().build();
  }

  /** Empties both tables, so that every iteration starts alike. */
  @Setup(Level.Iteration)
  public void emptyTables() throws Exception {
    try (Statement st = connection.createStatement()) {
      st.execute("TRUNCATE bench_orders, keel_outbox");
    }
    connection.commit();
  }

  /** The business transaction alone: insert one row, commit. */
  @Benchmark
  public void transaction() throws Exception {
    businessRow();
    connection.commit();
  }

  /** The same transaction with {@code outbox.append} of one event before the commit. */
  @Benchmark
  public void transactionWithAppend() throws Exception {
    businessRow();
    outbox.append(connection, Workload.event("append-bench", (int) next));
    connection.commit();
  }

  private void businessRow() throws Exception {
    insert.setLong(1, next++);
    insert.setBytes(2, PAYLOAD);
    insert.executeUpdate();
  }

  private static final byte[] PAYLOAD = Workload.payload();

  /** Closes the connection and stops PostgreSQL. */
  @TearDown(Level.Trial)
  public void stopTrial() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (db != null) {
      db.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
