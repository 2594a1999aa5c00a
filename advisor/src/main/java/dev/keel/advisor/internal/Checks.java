package dev.keel.advisor.internal;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Argument checks shared by the topology model; messages name the element and the property. */
public final class Checks {
  private Checks() {}

  /** A non-blank name. */
  public static String name(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new KeelConfigurationException(what + " must not be blank, was " + Values.quote(value));
    }
    return value;
  }

  /** A non-null value. */
  public static <T> T present(String what, T value) {
    if (value == null) {
      throw new KeelConfigurationException(what + " is required");
    }
    return value;
  }

  /** An optional that is never null itself. */
  public static <T> Optional<T> optional(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }

  /** An immutable copy; null gives an empty list. */
  public static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }

  /** A duration that is zero or positive. */
  public static Duration notNegative(String what, Duration value) {
    present(what, value);
    if (value.isNegative()) {
      throw new KeelConfigurationException(what + " must not be negative, was " + value);
    }
    return value;
  }

  /** A duration that is strictly positive. */
  public static Duration positive(String what, Duration value) {
    present(what, value);
    if (value.isNegative() || value.isZero()) {
      throw new KeelConfigurationException(what + " must be positive, was " + value);
    }
    return value;
  }

  /** Quotes a value for a message. */
  public static String q(String value) {
    return "'" + value + "'";
  }
}
