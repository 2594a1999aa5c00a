package dev.keel.advisor.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Deterministic wording of values in reports. */
public final class Text {
  private Text() {}

  /** {@code 7d}, {@code 2h}, {@code 30s}, {@code 250ms}: the largest exact unit. */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return (ms / sizes[i]) + units[i];
      }
    }
    return ms + "ms";
  }

  /** A duration, or the given text when absent. */
  public static String duration(Optional<Duration> d, String absent) {
    return d.map(Text::duration).orElse(absent);
  }

  /** An enum constant as written in YAML: {@code PER_KEY} gives {@code per-key}. */
  public static String spell(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Items joined by a comma, or the given text when empty. */
  public static String join(List<String> items, String empty) {
    return items.isEmpty() ? empty : String.join(", ", items);
  }

  /** {@code a}, {@code a and b}, {@code a, b and c}. */
  public static String and(List<String> items) {
    if (items.size() <= 1) {
      return String.join("", items);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + " and "
        + items.get(items.size() - 1);
  }

  /** {@code 1 saga}, {@code 2 sagas}. */
  public static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** A number without a trailing {@code .0}. */
  public static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
