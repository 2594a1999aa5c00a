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
 * java -jar benchmarks/target/keel-benchmarks.jar           # full run (about 10 minutes)
 * java -jar benchmarks/target/keel-benchmarks.jar --quick   # smoke run (under 3 minutes)
 * </pre>
 *
 * Each drain runs in a JVM of its own with {@code -Xmx256m}, after a warm-up drain in that JVM.
 */
public final class Harness {
  private Harness() {}

  /**
   * @param args {@code --quick} for the smoke run
   */
  public static void main(String[] args) throws Exception {
    // The embedded broker and clients log their whole configuration at INFO.
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    boolean quick = List.of(args).contains("--quick");
    String only =
        List.of(args).stream()
            .filter(a -> a.startsWith("--only="))
            .map(a -> a.substring(7))
            .findFirst()
            .orElse("drain,heap,latency,consumer,append,saga");
    int rows = quick ? 20_000 : 200_000;
    int warmup = quick ? 5_000 : 50_000;
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
        Database pg =
            Database.embeddedPostgres(
                Map.of(
                    "fsync",
                    "on",
                    "synchronous_commit",
                    "on",
                    "shared_buffers",
                    "256MB",
                    "max_wal_size",
                    "2GB"));
        IsolatedDatabase db = pg.createIsolated("bench")) {
      SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
      report.settings =
          "PostgreSQL 17 "
              + settings(db)
              + ", payload "
              + Workload.PAYLOAD_BYTES
              + " B, "
              + Workload.KEYS
              + " keys, batch 500, producer acks=all idempotent linger 5 ms batch 256 KiB";
      String url = db.jdbcUrl() + "&user=" + db.user();
      if (only.contains("drain")) {
        drains(report, url, broker, rows, warmup, quick);
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

  private static void drains(
      Report report, String url, KafkaBroker broker, int rows, int warmup, boolean quick)
      throws Exception {
    {
      report.section("Relay drain of a " + rows + "-row backlog (each in its own JVM, -Xmx256m)");
      Report.Line raw =
          drain(
              report, "raw idempotent producer (ceiling)", "raw", url, broker, rows, 16, 1, warmup);
      Report.Line skip =
          drain(
              report,
              "hand-written SKIP LOCKED relay",
              "skiplocked",
              url,
              broker,
              rows,
              16,
              1,
              warmup);
      for (int lanes : quick ? new int[] {16} : new int[] {16, 64}) {
        for (int instances : quick ? new int[] {1} : new int[] {1, 2}) {
          Report.Line keel =
              drain(
                  report,
                  "Keel relay, "
                      + lanes
                      + " lanes, "
                      + instances
                      + " instance"
                      + (instances > 1 ? "s" : ""),
                  "keel",
                  url,
                  broker,
                  rows,
                  lanes,
                  instances,
                  warmup);
          keel.ratio("vs SKIP LOCKED", keel.rate / skip.rate);
          keel.ratio("vs ceiling", keel.rate / raw.rate);
        }
      }
      skip.ratio("vs ceiling", skip.rate / raw.rate);
    }
  }

  /** The relay's heap while it drains a backlog of 1 MiB payloads, in a JVM with -Xmx256m. */
  private static void heap(Report report, String url, KafkaBroker broker, int rows)
      throws Exception {
    report.section(
        "Relay heap while draining " + rows + " rows of 1 MiB (own JVM, -Xmx256m, defaults)");
    List<String> out = child("heap", url, broker, "bench-heap", rows, 16, 1, 0);
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

  /** Runs a DrainChild with -Xmx256m and returns its output; fails if it fails. */
  private static List<String> child(
      String mode,
      String url,
      KafkaBroker broker,
      String topic,
      int rows,
      int lanes,
      int instances,
      int warmup)
      throws Exception {
    broker.createTopic(topic, 12);
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd =
        List.of(
            java,
            "-Xmx256m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            DrainChild.class.getName(),
            mode,
            url,
            broker.bootstrapServers(),
            topic,
            String.valueOf(rows),
            String.valueOf(lanes),
            String.valueOf(instances),
            String.valueOf(warmup));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
      }
    }
    if (p.waitFor() != 0 || output.stream().noneMatch(l -> l.startsWith("RESULT "))) {
      output.forEach(System.err::println);
      throw new IllegalStateException(mode + ": the drain process failed");
    }
    return output;
  }

  private static String settings(IsolatedDatabase db) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      StringBuilder b = new StringBuilder();
      for (String s : List.of("fsync", "synchronous_commit")) {
        try (ResultSet rs = st.executeQuery("SHOW " + s)) {
          rs.next();
          b.append(b.length() == 0 ? "" : ", ").append(s).append('=').append(rs.getString(1));
        }
      }
      return b.toString();
    }
  }

  private static Report.Line drain(
      Report report,
      String name,
      String mode,
      String url,
      KafkaBroker broker,
      int rows,
      int lanes,
      int instances,
      int warmup)
      throws Exception {
    String topic = "bench-" + mode + "-" + lanes + "-" + instances;
    String result =
        child(mode, url, broker, topic, rows, lanes, instances, warmup).stream()
            .filter(l -> l.startsWith("RESULT "))
            .findFirst()
            .orElseThrow(); // child() fails when there is none
    String[] f = result.split(" ");
    double seconds = Long.parseLong(f[1]) / 1e9;
    Report.Line line =
        report.line(
            name,
            rows / seconds,
            Workload.PAYLOAD_BYTES * rows / seconds / 1e6,
            Long.parseLong(f[2]) / 1e9 / (rows / 1000.0));
    line.note(String.format("%.2f s; first/last tenth %s/%s rec/s", seconds, f[3], f[4]));
    return line;
  }
}
