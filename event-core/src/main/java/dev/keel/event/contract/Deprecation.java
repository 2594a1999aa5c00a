package dev.keel.event.contract;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.time.Duration;
import java.time.Instant;

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
  /**
   * Validates the deprecation.
   *
   * @throws KeelConfigurationException when a value is missing or the window is negative
   */
  public Deprecation {
    if (field == null || field.isBlank()) {
      throw new KeelConfigurationException(
          "Deprecation.field is required, was " + Values.quote(field));
    }
    if (deprecatedAt == null) {
      throw new KeelConfigurationException(
          "Deprecation.deprecatedAt of field " + Values.quote(field) + " is required");
    }
    if (window == null || window.isNegative()) {
      throw new KeelConfigurationException(
          "Deprecation.window of field "
              + Values.quote(field)
              + " must be zero or positive, was "
              + window);
    }
    note = note == null ? "" : note;
  }

  /** The first instant at which the field may be removed. */
  public Instant removableAt() {
    return deprecatedAt.plus(window);
  }
}
