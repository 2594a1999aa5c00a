package dev.keel.dlq.internal;

import dev.keel.event.support.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What of a record's untrusted bytes may be stored as database text. PostgreSQL {@code text} and
 * {@code jsonb} refuse U+0000 (SQLState 22021 / 22P05) and every database refuses malformed UTF-8,
 * so only bytes that are valid UTF-8 without NUL are stored as text; everything else is stored as
 * base64 and decoded back exactly.
 */
public final class StoredText {
  /** The prefix of a key shown or stored in {@code key_text} as base64. */
  public static final String BASE64_PREFIX = "base64:";

  private StoredText() {}

  /** The text of bytes that are valid UTF-8 without U+0000, or null. */
  public static String plain(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    for (byte b : bytes) {
      if (b == 0) {
        return null;
      }
    }
    return Utf8.decodeStrict(bytes);
  }

  /**
   * A key as {@code key_text} holds it and operators see it: the text itself when it is valid UTF-8
   * without U+0000 and does not start with {@value #BASE64_PREFIX}, otherwise {@value
   * #BASE64_PREFIX} and the base64 of the bytes. Null for a null key.
   */
  public static String key(byte[] key) {
    if (key == null) {
      return null;
    }
    String text = plain(key);
    if (text != null && !text.startsWith(BASE64_PREFIX)) {
      return text;
    }
    return BASE64_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** Whether a header name survives as JSON text: no U+0000, and UTF-8 gives it back unchanged. */
  static boolean plainName(String name) {
    return name.indexOf('\0') < 0
        && new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(name);
  }

  /**
   * Free text (an exception message, a stack trace) made storable: U+0000 becomes U+FFFD, and a
   * lone surrogate (which has no UTF-8 form) becomes U+FFFD too. Other characters are kept.
   */
  public static String clean(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad;
      if (c == 0) {
        bad = true;
      } else if (Character.isHighSurrogate(c)) {
        bad = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (!bad) {
          if (b != null) {
            b.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        bad = Character.isLowSurrogate(c);
      }
      if (bad && b == null) {
        b = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (b != null) {
        b.append(bad ? '\uFFFD' : c);
      }
    }
    return b == null ? s : b.toString();
  }
}
