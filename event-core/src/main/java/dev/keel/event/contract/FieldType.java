package dev.keel.event.contract;

/** The JSON-level type of a contract field. */
public enum FieldType {
  /** A string. */
  STRING,
  /** An integral number. */
  INTEGER,
  /** A decimal number (amounts: encode as string or decimal, never binary floating point). */
  DECIMAL,
  /** true or false. */
  BOOLEAN,
  /** An ISO-8601 instant as a string. */
  TIMESTAMP,
  /** A UUID as a string. */
  UUID,
  /** A nested object. */
  OBJECT,
  /** An array. */
  ARRAY
}
