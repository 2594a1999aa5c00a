package dev.keel.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Reads the {@code ROUND} lines of a {@link DrainRounds} run and turns the measured rounds into the
 * drain table: per contender the median, min and max rate over rounds and the median of the other
 * figures; ratios of medians, each with the same ratio taken round by round; the rate of every
 * round; and the chart of each contender's median round.
 */
final class DrainSummary {
  static final String RAW = "raw";
  static final String LOOP_500 = "loop-500";
  static final String LOOP_2000 = "loop-2000";
  static final String LOOP_ENVELOPE = "loop-2000-env";
  static final String PROBE_ENVELOPE = "probe-2000-env";

  /** One drain as the child printed it. */
  record Round(
      String id,
      int round,
      boolean warmup,
      int position,
      long nanos,
      long firstNanos,
      long cpuNanos,
      double firstFifth,
      double lastFifth,
      long peakHeap,
      long gcMillis,
      double machineBusy,
      double postgresCpuSeconds,
      double brokerCpuSeconds,
      long[] buckets) {}

  private final int rows;
  private final Map<String, String> names = new LinkedHashMap<>();
  private final List<Round> measured = new ArrayList<>();
  private String jvm = "";

  DrainSummary(List<String> lines, int rows) {
    this.rows = rows;
    for (String line : lines) {
      if (line.startsWith("JVM ")) {
        jvm = line.substring(4);
      } else if (line.startsWith("CONTENDER ")) {
        String[] f = line.split(" ", 3);
        names.put(f[1], f[2]);
      } else if (line.startsWith("ROUND ")) {
        String[] f = line.split(" ");
        Round r =
            new Round(
                f[1],
                Integer.parseInt(f[2]),
                f[3].equals("1"),
                Integer.parseInt(f[4]),
                Long.parseLong(f[5]),
                Long.parseLong(f[6]),
                Long.parseLong(f[7]),
                Double.parseDouble(f[8]),
                Double.parseDouble(f[9]),
                Long.parseLong(f[10]),
                Long.parseLong(f[11]),
                Double.parseDouble(f[12]),
                Double.parseDouble(f[13]),
                Double.parseDouble(f[14]),
                Arrays.stream(f[15].split(",")).mapToLong(Long::parseLong).toArray());
        if (!r.warmup()) {
          measured.add(r);
        }
      }
    }
    if (measured.isEmpty()) {
      throw new IllegalStateException("the drain run printed no measured rounds");
    }
  }

  /** The JVM the contenders ran in, as the child described it. */
  String jvm() {
    return jvm;
  }

  double rate(Round r) {
    return rows / (r.nanos() / 1e9);
  }

  List<Round> rounds(String id) {
    return measured.stream().filter(r -> r.id().equals(id)).toList();
  }

  /** The median of the contender's rates over the measured rounds. */
  double medianRate(String id) {
    return median(rounds(id), this::rate);
  }

  /** The measured round whose rate is the median (the lower middle one for an even count). */
  Round medianRound(String id) {
    List<Round> rs = new ArrayList<>(rounds(id));
    rs.sort((a, b) -> Double.compare(rate(a), rate(b)));
    return rs.get((rs.size() - 1) / 2);
  }

  static <T> double median(List<T> items, ToDoubleFunction<T> f) {
    double[] v = items.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The contender's rate divided by the baseline's, round by round (same round each time). */
  double[] pairedRatios(String id, String baseline) {
    List<Double> out = new ArrayList<>();
    for (Round r : rounds(id)) {
      for (Round b : rounds(baseline)) {
        if (b.round() == r.round()) {
          out.add(rate(r) / rate(b));
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  /** The table, the ratios and the rate of every round, as printed lines. */
  String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "%-34s %10s %9s %9s %6s %8s %8s %8s %5s %10s %10s %8s %7s %7s %5s%n",
            "records/s (median over rounds)",
            "median",
            "min",
            "max",
            "MB/s",
            "CPU s/1k",
            "PG s/1k",
            "brkr s/1k",
            "busy",
            "1st fifth",
            "last fifth",
            "last/1st",
            "1st ack",
            "heap",
            "GC"));
    for (Map.Entry<String, String> e : names.entrySet()) {
      List<Round> rs = rounds(e.getKey());
      if (rs.isEmpty()) {
        continue;
      }
      double med = medianRate(e.getKey());
      double min = rs.stream().mapToDouble(this::rate).min().orElseThrow();
      double max = rs.stream().mapToDouble(this::rate).max().orElseThrow();
      b.append(
          String.format(
              "%-34s %,10.0f %,9.0f %,9.0f %6.1f %8.4f %8.4f %8.4f %4.0f%% %,10.0f %,10.0f %8.2f %4.0f ms %3d"
                  + " MiB %2.0f ms%n",
              e.getValue(),
              med,
              min,
              max,
              med * Workload.PAYLOAD_BYTES / 1e6,
              median(rs, r -> r.cpuNanos() / 1e9 / (rows / 1000.0)),
              median(rs, r -> r.postgresCpuSeconds() / (rows / 1000.0)),
              median(rs, r -> r.brokerCpuSeconds() / (rows / 1000.0)),
              median(rs, r -> r.machineBusy() * 100),
              median(rs, Round::firstFifth),
              median(rs, Round::lastFifth),
              median(rs, r -> r.lastFifth() / r.firstFifth()),
              median(rs, r -> r.firstNanos() / 1e6),
              rs.stream().mapToLong(Round::peakHeap).max().orElseThrow() >> 20,
              median(rs, r -> (double) r.gcMillis())));
    }
    b.append(
        String.format(
            "%nRatios of medians; in brackets the same ratio taken round by round: median"
                + " (min-max)%n"));
    b.append(
        String.format(
            "%-34s %-26s %-26s %-26s %-26s %-26s%n",
            "",
            "vs loop 500",
            "vs loop 2000",
            "vs loop 2000, 6 headers",
            "vs probe 2000, 6 headers",
            "vs ceiling (raw)"));
    for (Map.Entry<String, String> e : names.entrySet()) {
      if (e.getKey().equals(RAW) || rounds(e.getKey()).isEmpty()) {
        continue;
      }
      b.append(String.format("%-34s", e.getValue()));
      for (String base : List.of(LOOP_500, LOOP_2000, LOOP_ENVELOPE, PROBE_ENVELOPE, RAW)) {
        b.append(' ').append(String.format("%-26s", ratio(e.getKey(), base)));
      }
      b.append(String.format("%n"));
    }
    b.append(
        String.format(
            "%nRecords/s of each measured round (in brackets the contender's place in that"
                + " round's order)%n"));
    b.append(String.format("%-6s", "round"));
    names.keySet().forEach(id -> b.append(String.format(" %16s", id)));
    b.append(String.format("%n"));
    measured.stream()
        .mapToInt(Round::round)
        .distinct()
        .sorted()
        .forEach(
            round -> {
              b.append(String.format("%-6d", round + 1));
              for (String id : names.keySet()) {
                Round r =
                    rounds(id).stream().filter(x -> x.round() == round).findFirst().orElse(null);
                b.append(
                    r == null
                        ? String.format(" %16s", "-")
                        : String.format(" %,12.0f (%d)", rate(r), r.position() + 1));
              }
              b.append(String.format("%n"));
            });
    return b.toString().replaceAll("(?m) +$", "");
  }

  private String ratio(String id, String base) {
    if (id.equals(base) || rounds(base).isEmpty()) {
      return "-";
    }
    double[] paired = pairedRatios(id, base);
    double med =
        paired.length % 2 == 1
            ? paired[paired.length / 2]
            : (paired[paired.length / 2 - 1] + paired[paired.length / 2]) / 2;
    return String.format(
        "%.2fx [%.2f (%.2f-%.2f)]",
        medianRate(id) / medianRate(base), med, paired[0], paired[paired.length - 1]);
  }

  /** Writes every measured round as CSV, one line per drain. */
  void writeCsv(Path file) throws IOException {
    StringBuilder b =
        new StringBuilder(
            "contender,round,position,seconds,records_per_s,cpu_s,first_fifth_rate,"
                + "last_fifth_rate,first_ack_ms,peak_heap_mib,gc_ms,machine_busy,postgres_cpu_s,broker_cpu_s,records_per_50ms\n");
    for (Round r : measured) {
      b.append(
          String.format(
              "%s,%d,%d,%.4f,%.0f,%.4f,%.0f,%.0f,%.1f,%d,%d,%.3f,%.3f,%.3f,%s%n",
              r.id(),
              r.round() + 1,
              r.position() + 1,
              r.nanos() / 1e9,
              rate(r),
              r.cpuNanos() / 1e9,
              r.firstFifth(),
              r.lastFifth(),
              r.firstNanos() / 1e6,
              r.peakHeap() >> 20,
              r.gcMillis(),
              r.machineBusy(),
              r.postgresCpuSeconds(),
              r.brokerCpuSeconds(),
              String.join(" ", Arrays.stream(r.buckets()).mapToObj(Long::toString).toList())));
    }
    Files.writeString(file, b, StandardCharsets.UTF_8);
  }

  /** Writes the chart of each contender's median round. */
  void writeChart(Path file, String subtitle) throws IOException {
    List<RateChart.Series> series = new ArrayList<>();
    for (Map.Entry<String, String> e : names.entrySet()) {
      if (rounds(e.getKey()).isEmpty()) {
        continue;
      }
      Round r = medianRound(e.getKey());
      series.add(
          new RateChart.Series(
              e.getValue(), r.buckets(), r.nanos(), rate(r), e.getKey().equals(RAW)));
    }
    String title =
        String.format("Drain rate of a %,d-row backlog: each contender's median round", rows);
    Files.writeString(
        file,
        RateChart.svg(title, subtitle, series, Progress.BUCKET_NANOS),
        StandardCharsets.UTF_8);
  }
}
