package dev.keel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The drain measurement, run in one JVM of its own (started with {@code -Xms256m -Xmx256m}): every
 * contender drains a freshly loaded backlog once per round, in an order rotated by one place each
 * round; warm-up rounds come first and are marked as such. Prints one {@code ROUND} line per drain
 * for {@link DrainSummary}:
 *
 * <pre>
 * ROUND id round warmup position nanos firstNanos cpuNanos firstFifthRate lastFifthRate
 *       peakHeapBytes gcMillis machineBusy postgresCpuSeconds brokerCpuSeconds bucket,bucket,...
 * </pre>
 */
final class DrainRounds {
  static final int PARTITIONS = 6;
  static final int LANES = 16;
  static final int[] LOOP_BATCHES = {500, 2000};

  /** Linux's USER_HZ, the unit of the CPU times in {@code /proc/<pid>/stat}. */
  private static final double TICKS_PER_SECOND = 100;

  /** The batch of the loop and the probes that publish Keel's envelope headers. */
  static final int ENVELOPE_BATCH = 2000;

  /** The hand-written contenders, by {@link HandLoop#forId} id. */
  static final List<String> LOOPS =
      List.of(
          "loop-" + LOOP_BATCHES[0],
          "loop-" + LOOP_BATCHES[1],
          "loop-" + ENVELOPE_BATCH + "-env",
          "probe-" + ENVELOPE_BATCH,
          "probe-" + ENVELOPE_BATCH + "-env",
          "stream-" + ENVELOPE_BATCH + "-env");

  private DrainRounds() {}

  /**
   * @param url JDBC URL of a schema with Keel's outbox installed
   * @param bootstrap the broker
   * @param topicPrefix prefix of the contenders' topics (created here)
   * @param rows backlog per drain
   * @param warmups rounds not counted
   * @param rounds rounds counted
   * @param only the ids of the contenders to run, comma-separated; empty: all
   */
  static void run(
      String url,
      String bootstrap,
      String topicPrefix,
      int rows,
      int warmups,
      int rounds,
      String only)
      throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setMaximumPoolSize(16);
    Map<String, Object> producer = new HashMap<>(Workload.PRODUCER);
    producer.put("bootstrap.servers", bootstrap);
    List<Contender> contenders = new ArrayList<>();
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      contenders.add(new RawProducer(producer, topicPrefix + "-raw"));
      for (String id : LOOPS) {
        contenders.add(
            HandLoop.forId(
                ds, producer, "bench_" + id.replace('-', '_'), topicPrefix + "-" + id, id));
      }
      contenders.add(new KeelDrain(ds, producer, topicPrefix + "-keel-1", LANES, 1));
      contenders.add(new KeelDrain(ds, producer, topicPrefix + "-keel-2", LANES, 2));
      contenders.add(new KeelDrain(ds, producer, topicPrefix + "-keel-cursor-1", LANES, 1, true));
      contenders.add(new KeelDrain(ds, producer, topicPrefix + "-keel-cursor-2", LANES, 2, true));
      if (!only.isBlank()) {
        List<String> ids = List.of(only.split(","));
        List<String> known = contenders.stream().map(Contender::id).toList();
        for (String id : ids) {
          if (!known.contains(id)) {
            throw new IllegalArgumentException(
                "unknown contender " + id + "; the contenders are " + known);
          }
        }
        contenders.removeIf(c -> !ids.contains(c.id()));
      }
      createTopics(bootstrap, topicPrefix);
      System.out.printf(
          "JVM %s %s, %s, max heap %d MiB, %d cores%n",
          System.getProperty("java.vm.name"),
          System.getProperty("java.runtime.version"),
          gcNames(),
          Runtime.getRuntime().maxMemory() >> 20,
          Runtime.getRuntime().availableProcessors());
      for (Contender c : contenders) {
        System.out.println("CONTENDER " + c.id() + " " + c.name());
      }
      int n = contenders.size();
      for (int round = 0; round < warmups + rounds; round++) {
        boolean warmup = round < warmups;
        for (int position = 0; position < n; position++) {
          Contender c = contenders.get((round + position) % n);
          try {
            measure(c, round, warmup, position, rows);
          } finally {
            c.close();
          }
        }
      }
    } finally {
      contenders.forEach(Contender::close);
    }
  }

  private static void measure(Contender c, int round, boolean warmup, int position, int rows)
      throws Exception {
    long preparing = System.nanoTime();
    c.prepare(rows);
    preparing = System.nanoTime() - preparing;
    System.gc(); // every drain starts from a collected heap
    List<MemoryPoolMXBean> heap = new ArrayList<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
        heap.add(pool);
      }
    }
    long gc = gcMillis();
    long cpu = cpu();
    long[] machine = machineTicks();
    long[] processes = processTicks();
    Progress progress = new Progress(rows);
    c.drain(progress);
    long cpuNanos = cpu() - cpu;
    double busy = busyFraction(machine, machineTicks());
    double[] others = tickSeconds(processes, processTicks());
    long gcTime = gcMillis() - gc;
    long peak = 0;
    for (MemoryPoolMXBean pool : heap) {
      peak += pool.getPeakUsage().getUsed();
    }
    Progress.Result r = progress.result();
    long finishing = System.nanoTime();
    c.finish();
    finishing = System.nanoTime() - finishing;
    StringJoiner buckets = new StringJoiner(",");
    for (long b : r.buckets()) {
      buckets.add(Long.toString(b));
    }
    System.out.printf(
        "ROUND %s %d %d %d %d %d %d %.0f %.0f %d %d %.3f %.3f %.3f %s%n",
        c.id(),
        round,
        warmup ? 1 : 0,
        position,
        r.nanos(),
        r.firstNanos(),
        cpuNanos,
        r.firstFifthRate(),
        r.lastFifthRate(),
        peak,
        gcTime,
        busy,
        others[0],
        others[1],
        buckets);
    System.out.printf(
        "round %d%s %-36s %,10.0f rec/s (prepared in %.1f s, finished in %.1f s)%n",
        round + 1,
        warmup ? " (warm-up)" : "",
        c.name(),
        rows / (r.nanos() / 1e9),
        preparing / 1e9,
        finishing / 1e9);
  }

  private static void createTopics(String bootstrap, String prefix) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(prefix + "-raw", PARTITIONS, (short) 1));
    for (String id : LOOPS) {
      topics.add(new NewTopic(prefix + "-" + id, PARTITIONS, (short) 1));
    }
    topics.add(new NewTopic(prefix + "-keel-1", PARTITIONS, (short) 1));
    topics.add(new NewTopic(prefix + "-keel-2", PARTITIONS, (short) 1));
    topics.add(new NewTopic(prefix + "-keel-cursor-1", PARTITIONS, (short) 1));
    topics.add(new NewTopic(prefix + "-keel-cursor-2", PARTITIONS, (short) 1));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(topics).all().get();
    }
  }

  private static String gcNames() {
    StringJoiner j = new StringJoiner(" + ");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      j.add(gc.getName());
    }
    return j.toString();
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  /**
   * The machine's CPU time so far from {@code /proc/stat} (Linux): all ticks and idle ticks (idle
   * and iowait) over every core; null where there is no such file.
   */
  static long[] machineTicks() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) { // user .. steal; guest is inside user
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The share of the machine's CPU time (every core, every process: database, broker and drain)
   * that was busy between two {@link #machineTicks} readings; NaN when unknown.
   */
  static double busyFraction(long[] before, long[] after) {
    if (before == null || after == null || after[0] <= before[0]) {
      return Double.NaN;
    }
    return 1.0 - (double) (after[1] - before[1]) / (after[0] - before[0]);
  }

  /**
   * CPU ticks so far of PostgreSQL (every process named {@code postgres}, with the children they
   * reaped, so that backends and autovacuum workers that exit are still counted) and of this JVM's
   * parent, the harness JVM that runs the broker; null where there is no {@code /proc}.
   */
  static long[] processTicks() {
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    long postgres = 0;
    long harness = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        String stat;
        try {
          stat = Files.readString(dir.resolve("stat"));
        } catch (IOException gone) {
          continue; // exited since the listing
        }
        int close = stat.lastIndexOf(')');
        String name = stat.substring(stat.indexOf('(') + 1, close);
        // after the name: state, then fields 4 to 52; utime, stime, cutime, cstime are 14 to 17
        String[] f = stat.substring(close + 2).split(" ");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (name.equals("postgres")) {
          postgres += own + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        if (Long.parseLong(dir.getFileName().toString()) == parent) {
          harness += own;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return new long[] {postgres, harness};
  }

  /** The seconds of CPU between two {@link #processTicks} readings; NaN when unknown. */
  static double[] tickSeconds(long[] before, long[] after) {
    if (before == null || after == null) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return new double[] {
      (after[0] - before[0]) / TICKS_PER_SECOND, (after[1] - before[1]) / TICKS_PER_SECOND
    };
  }

  static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
