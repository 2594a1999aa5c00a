package dev.keel.event.support;

import dev.keel.event.KeelConfigurationException;
import java.util.function.Supplier;

/**
 * Who performs an operator action, for audit trails. A deployment that can vouch for the caller (a
 * security context, the identity a CLI runs under) gives a verified-actor supplier; then the audit
 * records that identity, and a different name declared by the caller is refused instead of
 * recorded. Without a supplier the declared name is recorded as given. Thread-safe: stateless.
 */
public final class Actors {
  /** The longest actor name an audit row holds. */
  public static final int MAX_LENGTH = 255;

  private Actors() {}

  /**
   * The actor to record.
   *
   * @param verified the deployment's verified identity, or null when it has none
   * @param declared the name the caller gave, or null
   * @param where the component, for messages ("OutboxAdmin.retry")
   * @throws KeelConfigurationException when no actor is known, the verified supplier gives none,
   *     the declared name differs from the verified one, or the name is too long
   */
  public static String resolve(Supplier<String> verified, String declared, String where) {
    String actor;
    if (verified != null) {
      String v = verified.get();
      if (v == null || v.isBlank()) {
        throw new KeelConfigurationException(
            where + ": the verified-actor supplier gave no identity; refusing to act anonymously");
      }
      if (declared != null && !declared.isBlank() && !declared.equals(v)) {
        throw new KeelConfigurationException(
            where
                + ": actor "
                + Values.quote(declared)
                + " is not the verified identity "
                + Values.quote(v));
      }
      actor = v;
    } else {
      if (declared == null || declared.isBlank()) {
        throw new KeelConfigurationException(where + ": an actor is required for the audit trail");
      }
      actor = declared;
    }
    if (actor.length() > MAX_LENGTH) {
      throw new KeelConfigurationException(
          where + ": actor must be at most " + MAX_LENGTH + " characters, was " + actor.length());
    }
    return actor;
  }
}
