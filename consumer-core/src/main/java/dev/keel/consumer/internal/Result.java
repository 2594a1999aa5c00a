package dev.keel.consumer.internal;

/** How a record ended, as the {@code result} tag of {@code keel.consumer.records}. */
enum Result {
  /** The handler ran and its effects committed with the dedupe row. */
  PROCESSED("processed"),
  /** The dedupe row existed: no effect. */
  DUPLICATE("duplicate"),
  /** The retry policy gave up: written to the dead-letter topic and table. */
  DEAD_LETTERED("dead_lettered"),
  /** The in-place retries gave up: moved to a delay tier {@code <topic>.retry.<n>}. */
  DELAYED("delayed"),
  /** Ordered mode: held back behind a dead-lettered key. */
  PARKED("parked"),
  /** No listener of the group handles the event's type. */
  IGNORED("ignored");

  final String tag;

  Result(String tag) {
    this.tag = tag;
  }
}
