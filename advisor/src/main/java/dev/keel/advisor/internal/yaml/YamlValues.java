package dev.keel.advisor.internal.yaml;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Parses the scalar formats of the topology schema. */
final class YamlValues {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private YamlValues() {}

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT5M}). */
  static Duration duration(String text, int line, String what) {
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new YamlError(
          line, what + " must be a duration such as 30s, 5m, 7d or PT5M, was '" + text + "'");
    }
  }

  /** An ISO-8601 instant or a date (midnight UTC). */
  static Instant instant(String text, int line, String what) {
    try {
      return text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new YamlError(
          line, what + " must be a date (2026-01-31) or an instant (2026-01-31T00:00:00Z)");
    }
  }

  /** An enum constant written in lower case with dashes: {@code per-key} for {@code PER_KEY}. */
  static <E extends Enum<E>> E enumValue(Class<E> type, String text, int line, String what) {
    for (E e : type.getEnumConstants()) {
      if (spelling(e).equals(text)) {
        return e;
      }
    }
    throw new YamlError(
        line,
        what
            + " must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(YamlValues::spelling)
                .collect(Collectors.joining(", "))
            + ", was '"
            + text
            + "'");
  }

  /** How an enum constant is written in YAML. */
  static String spelling(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
