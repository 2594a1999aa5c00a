package dev.keel.benchmarks;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs Keel side by side with baselines it runs itself, on an embedded broker and an embedded
 * PostgreSQL with {@code fsync} and {@code synchronous_commit} on, and prints ratios.
 *
 * <pre>
 * java -jar benchmarks/target/keel-benchmarks.jar                # full run
 * java -jar benchmarks/target/keel-benchmarks.jar --quick        # smoke run (under 3 minutes)
 * java -jar benchmarks/target/keel-benchmarks.jar --only=drain   # one section (drain, heap,
 *                                                                # latency, consumer, append, saga)
 * </pre>
 *
 * <p>The drains run in one JVM of their own with a fixed heap of 256 MiB ({@link DrainRounds}):
 * warm-up rounds first, then measured rounds in which every contender drains a freshly loaded
 * backlog, in an order rotated each round. {@code --rows=}, {@code --warmups=} and {@code
 * --rounds=} change the drain's size; {@code --contenders=} runs some of them only ({@code raw},
 * {@code loop-500}, {@code loop-2000}, {@code loop-2000-env}, the lock-free probes {@code
 * probe-2000} and {@code probe-2000-env}, the lock-free stream {@code stream-2000-env}, {@code
 * keel-16x1}, {@code keel-16x2}; e.g. {@code --rows=1000000 --contenders=keel-16x1} for the relay's
 * heap on a million rows); {@code --out=DIR} is where the drain chart and the per-round CSV go (the
 * full run writes them to {@code benchmarks/results}, the quick run only when asked).
 */
public final class Harness {
  private Harness() {}

  /**
   * @param args {@code --quick} for the smoke run, {@code --only=} a comma-separated list of
   *     sections, {@code --rows=}, {@code --warmups=}, {@code --rounds=}, {@code --contenders=} and
   *     {@code --out=} for the drain
   */
  public static void main(String[] args) throws Exception {
    // The embedded broker and clients log their whole configuration at INFO.
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    boolean quick = List.of(args).contains("--quick");
    String only = option(args, "only", "drain,heap,latency,consumer,append,saga");
    DrainRun drain =
        new DrainRun(
            Integer.parseInt(option(args, "rows", quick ? "5000" : "200000")),
            Integer.parseInt(option(args, "warmups", quick ? "1" : "2")),
            Integer.parseInt(option(args, "rounds", quick ? "2" : "5")),
            option(args, "out", quick ? null : "benchmarks/results"),
            option(args, "contenders", ""));
    Report report = new Report();
    System.out.println(
        "Keel benchmarks ("
            + (quick ? "quick" : "full")
            + "), "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + (Runtime.getRuntime().maxMemory() >> 20)
            + " MiB max heap in the harness JVM");
    // 1 MiB payloads plus their headers, for the heap measurement.
    try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of("message.max.bytes", "2097152"));
        Database pg = Database.embeddedPostgres(Workload.POSTGRES);
        IsolatedDatabase db = pg.createIsolated("bench")) {
      SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
      report.settings =
          "PostgreSQL 17 "
              + settings(db)
              + ", payload "
              + Workload.PAYLOAD_BYTES
              + " B, "
              + Workload.KEYS
              + " keys, producer acks=all idempotent linger 5 ms batch 256 KiB; "
              + Runtime.getRuntime().availableProcessors()
              + " cores, Java "
              + System.getProperty("java.runtime.version");
      String url = db.jdbcUrl() + "&user=" + db.user();
      if (only.contains("drain")) {
        drains(report, url, broker, drain);
      }
      if (only.contains("heap")) {
        heap(report, url, broker, quick ? 50 : 200);
      }
      if (only.contains("latency")) {
        new LatencyBench(broker, db, report).run(quick);
      }
      if (only.contains("consumer")) {
        new ConsumerBench(broker, db, report).run(quick);
      }
      if (only.contains("append")) {
        new AppendBench(db, report).run(quick ? 1_000 : 5_000);
      }
      if (only.contains("saga")) {
        new SagaBench(broker, db, report).run(quick);
      }
    }
    report.print();
    System.exit(0);
  }

  /** The size of the drain measurement and where its chart goes (null: nowhere). */
  private record DrainRun(int rows, int warmups, int rounds, String out, String contenders) {}

  private static String option(String[] args, String name, String otherwise) {
    return List.of(args).stream()
        .filter(a -> a.startsWith("--" + name + "="))
        .map(a -> a.substring(name.length() + 3))
        .findFirst()
        .orElse(otherwise);
  }

  private static void drains(Report report, String url, KafkaBroker broker, DrainRun run)
      throws Exception {
    String loadBefore = loadAverage();
    List<String> out =
        child(
            List.of(
                "drain",
                url,
                broker.bootstrapServers(),
                "bench-drain",
                String.valueOf(run.rows()),
                String.valueOf(run.warmups()),
                String.valueOf(run.rounds()),
                run.contenders()));
    DrainSummary summary = new DrainSummary(out, run.rows());
    report.section(
        String.format(
            "Relay drain of a %,d-row backlog in one warm JVM (-Xms256m -Xmx256m): median of %d rounds",
            run.rows(), run.rounds()));
    report.block(
        String.format(
            "%,d events of %d B over %,d keys, %d partitions; warm-up rounds (not counted): %d,"
                + " then measured rounds: %d, the order rotated by one each round%n"
                + "hand-written loops: batch %d and %d, each on its own table (primary key only),"
                + " and batch %d publishing Keel's six envelope headers instead of two;"
                + " lock-free probes: batch %d, two and six headers, no row locks, the published"
                + " prefix deleted behind an in-memory cursor on a second connection; lock-free"
                + " stream: batch %d, six headers, reads overlapping sends, no deletes (one"
                + " truncate at the end); Keel: %d"
                + " lanes, batch %d, other relay settings default, outbox table emptied between"
                + " rounds%n"
                + "drain JVM: %s%n"
                + "load average (1/5/15 min) before %s, after %s%n%n",
            run.rows(),
            Workload.PAYLOAD_BYTES,
            Workload.KEYS,
            DrainRounds.PARTITIONS,
            run.warmups(),
            run.rounds(),
            DrainRounds.LOOP_BATCHES[0],
            DrainRounds.LOOP_BATCHES[1],
            DrainRounds.ENVELOPE_BATCH,
            DrainRounds.ENVELOPE_BATCH,
            DrainRounds.ENVELOPE_BATCH,
            DrainRounds.LANES,
            KeelDrain.BATCH,
            summary.jvm(),
            loadBefore,
            loadAverage()));
    report.block(summary.table());
    if (run.out() != null) {
      java.nio.file.Path dir = java.nio.file.Path.of(run.out());
      java.nio.file.Files.createDirectories(dir);
      summary.writeChart(
          dir.resolve("drain-rate.svg"),
          String.format(
              "%d B payloads, %,d keys, %d partitions, fsync on; median of %d rounds in one warm JVM"
                  + " (%s)",
              Workload.PAYLOAD_BYTES,
              Workload.KEYS,
              DrainRounds.PARTITIONS,
              run.rounds(),
              java.time.LocalDate.now()));
      summary.writeCsv(dir.resolve("drain-rounds.csv"));
      report.block(
          "Chart: "
              + dir.resolve("drain-rate.svg")
              + "; rounds: "
              + dir.resolve("drain-rounds.csv")
              + System.lineSeparator());
    }
  }

  /** The 1, 5 and 15 minute load averages, where the system tells them. */
  private static String loadAverage() {
    try {
      String[] f =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The relay's heap while it drains a backlog of 1 MiB payloads, in a JVM with a 256 MiB heap. */
  private static void heap(Report report, String url, KafkaBroker broker, int rows)
      throws Exception {
    report.section(
        "Relay heap while draining " + rows + " rows of 1 MiB (own JVM, 256 MiB heap, defaults)");
    broker.createTopic("bench-heap", 12);
    List<String> out =
        child(
            List.of(
                "heap", url, broker.bootstrapServers(), "bench-heap", String.valueOf(rows), "16"));
    String[] f = find(out, "RESULT ").split(" ");
    String[] h = find(out, "HEAP ").split(" ");
    double seconds = Long.parseLong(f[1]) / 1e9;
    Report.Line line =
        report.line(
            "Keel relay, 16 lanes, 1 instance",
            rows / seconds,
            (double) DrainChild.HEAP_PAYLOAD_BYTES * rows / seconds / 1e6,
            Long.parseLong(f[2]) / 1e9 / (rows / 1000.0));
    line.note(
        String.format(
            "peak heap used %d MiB (garbage included), peak live %d MiB (after a full GC every"
                + " 250 ms); backlog %d MiB, maxBytesPerPass 16 MiB",
            Long.parseLong(h[1]) >> 20,
            Long.parseLong(h[2]) >> 20,
            (long) rows * DrainChild.HEAP_PAYLOAD_BYTES >> 20));
  }

  private static String find(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
  }

  /**
   * Runs a DrainChild with a fixed 256 MiB heap and returns its output, echoing its progress lines;
   * fails if it fails.
   */
  private static List<String> child(List<String> args) throws Exception {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                // Fixed: a heap that System.gc() shrank before the drain would grow back during it,
                // with a run of collections in its first fifth (a running relay's heap is sized).
                "-Xms256m",
                "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                DrainChild.class.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (line.startsWith("round ")) {
          System.out.println("  " + line);
        }
      }
    }
    if (p.waitFor() != 0) {
      output.forEach(System.err::println);
      throw new IllegalStateException(args.get(0) + ": the drain process failed");
    }
    return output;
  }

  private static String settings(IsolatedDatabase db) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      StringBuilder b = new StringBuilder();
      for (String s :
          List.of(
              "fsync",
              "synchronous_commit",
              "shared_buffers",
              "max_wal_size",
              "checkpoint_timeout")) {
        try (ResultSet rs = st.executeQuery("SHOW " + s)) {
          rs.next();
          b.append(b.length() == 0 ? "" : ", ").append(s).append('=').append(rs.getString(1));
        }
      }
      return b.toString();
    }
  }
}
