package dev.keel.reliability;

/**
 * Sizes of the scenarios: small by default (CI), full with {@code -Preliability} (system property
 * {@code keel.reliability.scale=full}); each size can be overridden by its own system property.
 */
final class Scale {
  private Scale() {}

  /** Whether the full sizes were asked for. */
  static boolean full() {
    return "full".equalsIgnoreCase(System.getProperty("keel.reliability.scale", "small"));
  }

  /** {@code keel.reliability.<name>} when set, else the small or the full default. */
  static int of(String name, int small, int full) {
    return Integer.getInteger("keel.reliability." + name, full() ? full : small);
  }
}
