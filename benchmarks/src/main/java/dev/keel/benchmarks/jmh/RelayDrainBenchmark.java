package dev.keel.benchmarks.jmh;

import dev.keel.benchmarks.Contender;
import dev.keel.benchmarks.HandLoop;
import dev.keel.benchmarks.KeelDrain;
import dev.keel.benchmarks.Progress;
import dev.keel.benchmarks.Workload;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Draining a backlog of {@value #ROWS} events (256 B, 10,000 keys, 6 partitions): the Keel relay
 * (16 lanes, one instance or two) against the hand-written loop at batch 500 and 2000. The broker
 * and PostgreSQL (fsync on) start once per trial, in the benchmark's JVM; each iteration loads a
 * fresh backlog in its setup (not measured) and measures one drain, from the commit of the loading
 * transaction to the last record acknowledged and deleted, as the harness does ({@link
 * dev.keel.benchmarks.Contender}). The score is the time per record: records/s = 10^6 / score.
 *
 * <pre>
 * java -cp benchmarks/target/keel-benchmarks.jar org.openjdk.jmh.Main RelayDrainBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(RelayDrainBenchmark.ROWS)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class RelayDrainBenchmark {
  /** Events per backlog. */
  public static final int ROWS = 50_000;

  /**
   * Which contender drains: {@code keel-1}, {@code keel-2}, {@code loop-500}, {@code loop-2000},
   * {@code loop-2000-env} (the loop at 2,000 publishing Keel's six envelope headers), {@code
   * probe-2000-env} (the lock-free probe with the same record; {@code probe-2000} with {@code -p
   * contender=}).
   */
  @Param({"keel-1", "keel-2", "loop-500", "loop-2000", "loop-2000-env", "probe-2000-env"})
  public String contender;

  private KafkaBroker broker;
  private Database postgres;
  private IsolatedDatabase db;
  private Contender drain;

  /** Starts the broker and PostgreSQL, installs the outbox and creates the topic and table. */
  @Setup(Level.Trial)
  public void startTrial() throws Exception {
    broker = KafkaBroker.startEmbedded(Map.of());
    postgres = Database.embeddedPostgres(Workload.POSTGRES);
    db = postgres.createIsolated("jmh");
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String topic = "jmh-drain";
    broker.createTopic(topic, 6);
    Map<String, Object> producer = new HashMap<>(Workload.PRODUCER);
    producer.put("bootstrap.servers", broker.bootstrapServers());
    drain =
        switch (contender) {
          case "keel-1" -> new KeelDrain(db.dataSource(), producer, topic, 16, 1);
          case "keel-2" -> new KeelDrain(db.dataSource(), producer, topic, 16, 2);
          default -> HandLoop.forId(db.dataSource(), producer, "jmh_loop", topic, contender);
        };
  }

  /** Loads a fresh backlog, leaving its transaction open for the drain to commit. */
  @Setup(Level.Iteration)
  public void loadBacklog() throws Exception {
    drain.prepare(ROWS);
  }

  /** Drains the backlog. */
  @Benchmark
  public long drain() throws Exception {
    Progress progress = new Progress(ROWS);
    drain.drain(progress);
    return progress.done();
  }

  /** Stops the relays or the loop's producer and checks that the table is empty. */
  @TearDown(Level.Iteration)
  public void checkDrained() throws Exception {
    drain.finish();
  }

  /** Stops everything the trial started. */
  @TearDown(Level.Trial)
  public void stopTrial() {
    if (drain != null) {
      drain.close();
    }
    if (db != null) {
      db.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
