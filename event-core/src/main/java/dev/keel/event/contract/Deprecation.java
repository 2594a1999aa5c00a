package dev.keel.event.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A field marked for removal. It may be removed in a later version once {@code deprecatedAt +
 * window} has passed; removing it earlier is a breaking change.
 *
 * @param field the field's name
 * @param deprecatedAt when consumers were told
 * @param window how long consumers have to stop reading it
 * @param note what to use instead
 */
public record Deprecation(String field, Instant deprecatedAt, Duration window, String note) {
  /** Validates the deprecation. */
  public Deprecation {
    Objects.requireNonNull(field, "Deprecation.field");
    Objects.requireNonNull(deprecatedAt, "Deprecation.deprecatedAt");
    Objects.requireNonNull(window, "Deprecation.window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("Deprecation.window must not be negative, was " + window);
    }
    note = note == null ? "" : note;
  }

  /** The first instant at which the field may be removed. */
  public Instant removableAt() {
    return deprecatedAt.plus(window);
  }
}
