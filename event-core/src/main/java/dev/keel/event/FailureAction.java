package dev.keel.event;

/** What to do with a record or step that failed. */
public enum FailureAction {
  /** Try again after a backoff delay, up to the retry budget. */
  RETRY,
  /** Stop trying: write it to the dead-letter topic and table. */
  DEAD_LETTER,
  /** Store it and hold back later records of the same key until an operator resolves it. */
  PARK,
  /** Stop the component: the failure says the configuration or environment is wrong. */
  FAIL_FAST
}
