package dev.keel.spring.boot.autoconfigure.actuate.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What one Keel module (outbox, dead letters, sagas) shows in the {@code keel} endpoint, does for
 * its operations and checks for health. Each is built only when its module is on the class path, so
 * that the endpoint never loads a missing module's classes.
 */
public interface KeelSection {

  /** The section's name in the endpoint's summary: {@code outbox}, {@code deadLetters}, ... */
  String name();

  /** The kinds of item this section shows and acts on, such as {@code dead-letter}. */
  Set<String> kinds();

  /**
   * The section's state, in plain values (strings, numbers, lists and maps of them).
   *
   * @param limit the most entries of each list
   */
  Map<String, Object> summary(int limit);

  /**
   * One item.
   *
   * @param kind one of {@link #kinds()}
   * @param id its id
   * @return the item, empty when there is none
   * @throws IllegalArgumentException when the id is malformed or the kind has no detail view
   */
  Optional<Map<String, Object>> detail(String kind, String id);

  /**
   * Runs an operation, audited under {@code actor} in the module's own audit table.
   *
   * @param kind one of {@link #kinds()}
   * @param id the item's id
   * @param action what to do, such as {@code replay}
   * @param actor the authenticated principal's name
   * @param reason why, may be null
   * @return what was done
   * @throws IllegalArgumentException when the action is unknown or the id malformed
   */
  Map<String, Object> operate(String kind, String id, String action, String actor, String reason);

  /** The section's health checks by name, run on each health request. */
  Map<String, Supplier<Check>> checks();

  /** The outcome of a health check. */
  enum Level {
    /** Nothing to act on. */
    UP,
    /** Keel does not deliver: events wait unpublished. */
    DOWN,
    /** Keel delivers, but work is set aside for an operator. */
    OUT_OF_SERVICE,
    /** The check could not be made (the database did not answer). */
    UNKNOWN
  }

  /**
   * A health check's outcome.
   *
   * @param level the level
   * @param details what an operator acts on
   */
  record Check(Level level, Map<String, Object> details) {
    /** Copies. */
    public Check {
      details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
  }
}
