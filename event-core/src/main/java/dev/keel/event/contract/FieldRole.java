package dev.keel.event.contract;

/** What a field of an event contract is for. */
public enum FieldRole {
  /** Identifies the aggregate or entity the fact is about (order id, customer id). */
  IDENTIFIER,
  /** The business fact itself (amount, status, items). */
  BUSINESS_FACT,
  /** Data about the event rather than the business (correlation id, channel). */
  METADATA
}
