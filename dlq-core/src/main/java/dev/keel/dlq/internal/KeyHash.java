package dev.keel.dlq.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of key bytes in hex: a fixed-width, indexable stand-in for keys of any length. */
public final class KeyHash {
  private KeyHash() {}

  /** The hash, or null for a null key. */
  public static String of(byte[] key) {
    if (key == null) {
      return null;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The hash of a key given as UTF-8 text, or null. */
  public static String of(String key) {
    return key == null ? null : of(key.getBytes(StandardCharsets.UTF_8));
  }
}
