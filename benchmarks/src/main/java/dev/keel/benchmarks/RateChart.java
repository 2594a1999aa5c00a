package dev.keel.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * A step chart of drain rate over time as SVG text: one line per contender, its records per time
 * bucket as a rate. Buckets are a multiple of the recorded ones, chosen so that the longest drain
 * has at most {@value #MAX_BUCKETS} of them; a last bucket shorter than half a bucket joins the one
 * before it (a few records over a few milliseconds would otherwise show as a spike). A ceiling
 * series far above the others is drawn clipped at the top, so that the others keep the height of
 * the chart; its legend says so.
 */
final class RateChart {
  private static final String[] COLOURS = {
    "#7f7f7f", "#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22"
  };
  private static final int WIDTH = 900;
  private static final int HEIGHT = 480;
  private static final int LEFT = 80;
  private static final int RIGHT = 620;
  private static final int TOP = 64;
  private static final int BOTTOM = 420;
  private static final int MAX_BUCKETS = 25;

  /**
   * One contender's drain.
   *
   * @param name the legend
   * @param buckets records done per bucket
   * @param nanos the drain's duration (the last bucket ends there)
   * @param rate the drain's mean rate, for the legend
   * @param ceiling whether it may be drawn clipped
   */
  record Series(String name, long[] buckets, long nanos, double rate, boolean ceiling) {}

  private RateChart() {}

  /** A stretch of a drain and the records done in it. */
  record Segment(long startNanos, long endNanos, long count) {
    double start() {
      return startNanos / 1e9;
    }

    double end() {
      return endNanos / 1e9;
    }

    double rate() {
      return count / ((endNanos - startNanos) / 1e9);
    }
  }

  /**
   * @param title the first line
   * @param subtitle the second line; the bucket width is appended
   * @param series the drains
   * @param bucketNanos the width of the recorded buckets
   */
  static String svg(String title, String subtitle, List<Series> series, long bucketNanos) {
    long longest = series.stream().mapToLong(Series::nanos).max().orElse(bucketNanos);
    long width = bucketNanos * Math.max(1, -Math.floorDiv(-longest, bucketNanos * MAX_BUCKETS));
    double maxSeconds = longest / 1e9;
    double maxRate = 0;
    double maxCeiling = 0;
    List<List<Segment>> segments = new java.util.ArrayList<>();
    for (Series s : series) {
      List<Segment> segs = segments(s, bucketNanos, width);
      segments.add(segs);
      for (Segment g : segs) {
        if (s.ceiling()) {
          maxCeiling = Math.max(maxCeiling, g.rate());
        } else {
          maxRate = Math.max(maxRate, g.rate());
        }
      }
    }
    subtitle = subtitle + f("; %d ms buckets", width / 1_000_000);
    boolean clip = maxCeiling > 2 * maxRate && maxRate > 0;
    double yStep = step(clip ? maxRate * 1.1 : Math.max(maxRate, maxCeiling) * 1.05);
    double yMax = yStep * Math.ceil((clip ? maxRate * 1.1 : Math.max(maxRate, maxCeiling)) / yStep);
    double xStep = step(maxSeconds * 5 / 8); // about eight grid lines across
    double xMax = xStep * Math.ceil(maxSeconds / xStep);
    StringBuilder b = new StringBuilder();
    b.append(
        f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH, HEIGHT, WIDTH, HEIGHT));
    b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, esc(title)));
    b.append(f("<text x=\"%d\" y=\"42\" fill=\"#555\">%s</text>%n", LEFT, esc(subtitle)));
    for (double y = 0; y <= yMax + yStep / 2; y += yStep) {
      int py = py(y, yMax);
      b.append(
          f(
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
              LEFT, py, RIGHT, py));
      b.append(
          f(
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
              LEFT - 6, py + 4, thousands(y)));
    }
    for (double x = 0; x <= xMax + xStep / 2; x += xStep) {
      int px = px(x, xMax);
      b.append(
          f(
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
              px, TOP, px, BOTTOM));
      b.append(
          f(
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              px, BOTTOM + 18, trim(x)));
    }
    b.append(
        f(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the backlog"
                + " appeared</text>%n",
            (LEFT + RIGHT) / 2, BOTTOM + 40));
    b.append(
        f(
            "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\""
                + " text-anchor=\"middle\">records/s</text>%n",
            (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2));
    b.append(
        f(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (Segment g : segments.get(i)) {
        int y = py(Math.min(g.rate(), yMax), yMax);
        points.append(f("%d,%d %d,%d ", px(g.start(), xMax), y, px(g.end(), xMax), y));
      }
      b.append(
          f(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"%s\"/>%n",
              colour, s.ceiling() ? " stroke-dasharray=\"6 3\"" : "", points.toString().trim()));
      int ly = TOP + 10 + i * 52;
      b.append(
          f(
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>%n",
              RIGHT + 16,
              ly,
              RIGHT + 40,
              ly,
              colour,
              s.ceiling() ? " stroke-dasharray=\"6 3\"" : ""));
      b.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", RIGHT + 46, ly + 4, esc(s.name())));
      String detail = f("%s rec/s over %.2f s", thousands(s.rate()), s.nanos() / 1e9);
      b.append(
          f(
              "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"11\">%s</text>%n",
              RIGHT + 46, ly + 19, esc(detail)));
      if (s.ceiling() && clip) {
        b.append(
            f(
                "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"11\">%s</text>%n",
                RIGHT + 46, ly + 33, "(clipped at the top of the chart)"));
      }
    }
    b.append("</svg>\n");
    return b.toString();
  }

  /** The drain cut into buckets of {@code width} (a multiple of {@code bucketNanos}). */
  static List<Segment> segments(Series s, long bucketNanos, long width) {
    int per = (int) (width / bucketNanos);
    List<Segment> out = new java.util.ArrayList<>();
    long count = 0;
    long start = 0;
    for (int k = 0; k < s.buckets().length; k++) {
      count += s.buckets()[k];
      boolean last = k == s.buckets().length - 1;
      if ((k + 1) % per == 0 || last) {
        long end = last ? s.nanos() : (long) (k + 1) * bucketNanos;
        if (last && end - start < width / 2 && !out.isEmpty()) {
          Segment prev = out.remove(out.size() - 1);
          start = prev.startNanos();
          count += prev.count();
        }
        if (end > start) {
          out.add(new Segment(start, end, count));
        }
        count = 0;
        start = end;
      }
    }
    return out;
  }

  /** A round step (1, 2 or 5 times a power of ten) giving about five grid lines up to max. */
  static double step(double max) {
    if (max <= 0) {
      return 1;
    }
    double raw = max / 5;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static int px(double seconds, double xMax) {
    return (int) Math.round(LEFT + (RIGHT - LEFT) * seconds / xMax);
  }

  private static int py(double rate, double yMax) {
    return (int) Math.round(BOTTOM - (BOTTOM - TOP) * rate / yMax);
  }

  private static String thousands(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.replaceAll("\\.?0+$", "");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
