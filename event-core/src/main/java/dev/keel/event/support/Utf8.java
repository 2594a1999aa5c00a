package dev.keel.event.support;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding for untrusted bytes: malformed input is reported, never replaced. */
public final class Utf8 {
  private Utf8() {}

  /**
   * The text of valid UTF-8 bytes, or null when they are not valid UTF-8.
   *
   * @param bytes untrusted bytes
   */
  public static String decodeStrict(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
