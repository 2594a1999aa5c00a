package dev.keel.event.contract;

/**
 * One reason why a new contract version would break existing consumers.
 *
 * @param kind what kind of change
 * @param field the field concerned, or null for contract-level changes
 * @param message a sentence naming the event, the versions and the field
 */
public record BreakingChange(Kind kind, String field, String message) {

  /** The kinds of breaking change. */
  public enum Kind {
    /** The event type was renamed: consumers subscribed to the old name see nothing. */
    EVENT_RENAMED,
    /** The contract changed but its version did not increase. */
    VERSION_NOT_INCREASED,
    /** A field was removed (before its deprecation window ended, or without deprecation). */
    FIELD_REMOVED,
    /** A field changed its type. */
    TYPE_CHANGED,
    /** A new field is required: events of the old version cannot satisfy it. */
    REQUIRED_FIELD_ADDED,
    /** An optional field became required. */
    FIELD_MADE_REQUIRED,
    /** A required field became optional: consumers that rely on it may get nothing. */
    FIELD_MADE_OPTIONAL,
    /** The ordering key changed: per-key order consumers relied on no longer holds. */
    ORDERING_KEY_CHANGED
  }
}
