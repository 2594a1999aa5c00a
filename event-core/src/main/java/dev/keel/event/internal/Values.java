package dev.keel.event.internal;

/** Renders rejected values for error messages without letting them forge log lines. */
public final class Values {
  private Values() {}

  /**
   * The value in double quotes, control characters escaped, cut at 80 characters.
   *
   * @param value any string, possibly hostile; null gives {@code null}
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    int n = Math.min(value.length(), 80);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    if (value.length() > n) {
      b.append("...(").append(value.length()).append(" chars)");
    }
    return b.append('"').toString();
  }
}
