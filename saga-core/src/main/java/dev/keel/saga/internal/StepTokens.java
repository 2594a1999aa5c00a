package dev.keel.saga.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-saga secrets and the step tokens derived from them: HMAC-SHA256 of the saga id and step name
 * under the saga's secret, so that a token seen on one step's commands tells nothing about another
 * step's. The secret stays in the saga row.
 */
final class StepTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private StepTokens() {}

  /** A new random secret, 32 hex digits. */
  static String newSecret() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The token of one step of one saga, 32 hex digits. */
  static String token(String secret, UUID sagaId, String step) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] h = mac.doFinal((sagaId + "/" + step).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
