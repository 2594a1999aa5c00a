package dev.keel.test;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Where a test's controlled clock starts: the current instant, moved by the offset that the system
 * property {@value #OFFSET_PROPERTY} names (an ISO-8601 duration such as {@code P365D} or {@code
 * -P365D}; none by default).
 *
 * <p>A test that pins its clock to a fixed date breaks once the wall clock has moved far enough
 * from it: records stamped with the pinned instant fall out of a topic's retention, or are refused
 * as too far in the future. Tests that control time start from {@link #start()} instead, and the
 * whole suite can be run with every such clock a year ahead or behind the wall clock:
 *
 * <pre>{@code
 * mvn -B verify -Dkeel.test.clock-offset=P365D
 * mvn -B verify -Dkeel.test.clock-offset=-P365D
 * }</pre>
 *
 * <p>The embedded broker follows the same property: it accepts record timestamps up to the offset
 * (plus Kafka's usual hour) ahead of its wall clock, and no test run lasts long enough for its
 * retention check to act (see {@code EmbeddedKafkaBroker}). An external broker ({@value
 * KafkaBroker#BOOTSTRAP_ENV}) keeps its own settings, so run offset suites on the embedded one.
 *
 * <p>Thread-safe: stateless.
 */
public final class TestTime {
  /** The system property that moves every test clock's start: an ISO-8601 duration. */
  public static final String OFFSET_PROPERTY = "keel.test.clock-offset";

  private TestTime() {}

  /**
   * The offset named by {@value #OFFSET_PROPERTY}, zero when it is unset or blank.
   *
   * @throws IllegalArgumentException when the property is not an ISO-8601 duration
   */
  public static Duration offset() {
    String value = System.getProperty(OFFSET_PROPERTY, "").trim();
    if (value.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          OFFSET_PROPERTY
              + " must be an ISO-8601 duration such as P365D or -P365D, was '"
              + value
              + "'",
          e);
    }
  }

  /** The instant a test clock starts at: now plus {@link #offset()}, in whole milliseconds. */
  public static Instant start() {
    return Instant.now().plus(offset()).truncatedTo(ChronoUnit.MILLIS);
  }
}
