package dev.keel.saga.internal;

/**
 * Failure reasons and step details made safe to store and to carry in a header: they can come from
 * a reply header or an exception message, and PostgreSQL {@code text} and {@code jsonb} refuse
 * U+0000. Control characters become spaces, a lone surrogate (no UTF-8 form) becomes U+FFFD, and
 * the text is cut at {@code max} characters without splitting a surrogate pair.
 */
final class SagaText {
  private SagaText() {}

  static String clean(String s, int max) {
    if (s == null) {
      return null;
    }
    int n = Math.min(s.length(), max);
    if (n < s.length() && n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
      n--; // do not split a pair at the cut
    }
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(' ');
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
