package dev.keel.advisor;

/** How much a finding matters, from least to most. */
public enum Severity {
  /** Worth knowing; nothing breaks. */
  INFO,
  /** A design smell that makes failures harder to handle. */
  WARNING,
  /** Breaks a reliability guarantee under a plausible failure. */
  ERROR,
  /** Loses, duplicates or corrupts data in normal operation (a retry, a restart, a deploy). */
  CRITICAL;

  /** Whether this severity is at least {@code other}. */
  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }
}
