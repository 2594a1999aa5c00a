package dev.keel.spring.boot.autoconfigure.actuate.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Plain values for the endpoint's JSON. */
final class Values {
  private Values() {}

  static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  static String text(Duration d) {
    return d == null ? null : d.toString();
  }

  static UUID uuid(String kind, String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(kind + " id must be a UUID, was '" + id + "'");
    }
  }

  static long number(String kind, String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(kind + " id must be a number, was '" + id + "'");
    }
  }

  static IllegalArgumentException unknownAction(String kind, String action, String known) {
    return new IllegalArgumentException(
        "unknown action '" + action + "' for " + kind + "; known: " + known);
  }
}
