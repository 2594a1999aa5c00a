package dev.keel.saga.internal;

import java.util.UUID;

/**
 * Parses saga header values, which are untrusted: bounded lengths, no exceptions for bad input (the
 * caller ignores a message whose saga headers do not parse).
 */
final class HeaderValues {
  private HeaderValues() {}

  /** A saga id, or null when absent or not a UUID. */
  static UUID sagaId(String value) {
    if (value == null || value.length() > 36) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** An attempt number, or -1 when absent or not a number. */
  static int attempt(String value) {
    if (value == null || value.length() > 9) {
      return -1;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
