package dev.keel.advisor.internal.yaml;

/** A problem at one line of the YAML source; turned into a {@code file:line:} message. */
final class YamlError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int line;

  YamlError(int line, String message) {
    super(message, null, false, false);
    this.line = line;
  }

  int line() {
    return line;
  }
}
