package dev.keel.event.support;

/**
 * Renders untrusted text (rejected values, stored failure reasons, keys, payloads) for error
 * messages, logs and terminals without letting it forge lines or send control sequences.
 *
 * <p>Escaped as {@code \\uXXXX}: C0 controls and DEL, C1 controls (U+0080 to U+009F, which
 * terminals read as escape sequences such as CSI), line and paragraph separators, bidirectional
 * overrides and isolates (which reorder what a reader sees), and unpaired surrogates. Thread-safe:
 * stateless.
 */
public final class Values {
  private Values() {}

  /**
   * The value in double quotes, escaped, cut at 80 characters.
   *
   * @param value any string, possibly hostile; null gives {@code null}
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    int n = Math.min(value.length(), 80);
    StringBuilder b = new StringBuilder("\"");
    append(b, value, 0, n, false, true);
    if (value.length() > n) {
      b.append("...(").append(value.length()).append(" chars)");
    }
    return b.append('"').toString();
  }

  /**
   * The whole value on one line, escaped (no quotes, not cut).
   *
   * @param value any string, possibly hostile; null gives {@code null}
   */
  public static String escape(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(value.length() + 16);
    append(b, value, 0, value.length(), false, false);
    return b.toString();
  }

  /**
   * The value escaped as {@link #escape} does, but keeping line feeds and tabs, each line after a
   * line feed starting with {@code indent}: for payloads and stack traces printed as blocks, whose
   * lines then cannot pass for the tool's own.
   *
   * @param value any string, possibly hostile; null gives {@code null}
   * @param indent the prefix of every line
   */
  public static String escapeBlock(String value, String indent) {
    if (value == null) {
      return indent + "null";
    }
    StringBuilder b = new StringBuilder(value.length() + 16).append(indent);
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == '\n') {
        append(b, value, start, i, true, false);
        b.append('\n').append(indent);
        start = i + 1;
      }
    }
    append(b, value, start, value.length(), true, false);
    return b.toString();
  }

  private static void append(
      StringBuilder b, String s, int from, int to, boolean keepTabs, boolean escapeQuotes) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (c == '\t' && keepTabs) {
        b.append(c);
      } else if (unsafe(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else if (escapeQuotes && (c == '"' || c == '\\')) {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
  }

  /** Whether a terminal or a log reader could be misled by this character shown as is. */
  static boolean unsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e'
        || c == '\u200f'
        || c == '\u061c'
        || Character.isSurrogate(c);
  }
}
