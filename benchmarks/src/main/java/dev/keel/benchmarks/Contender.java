package dev.keel.benchmarks;

/**
 * One way of draining a backlog, measured the same way for every contender: {@link #prepare} (not
 * timed) loads a fresh backlog and starts what a running service would already have running, {@link
 * #drain} (timed) drains it, {@link #finish} (not timed) stops and checks that nothing is left. A
 * contender is prepared, drained and finished once per round, on one thread.
 */
public interface Contender extends AutoCloseable {
  /** A short identifier, used in the harness's output and files. */
  String id();

  /** The name printed in tables and charts. */
  String name();

  /**
   * Loads a backlog of {@code rows} records and readies the contender, without timing. A database
   * contender leaves the transaction that loaded its table open; {@link #drain} commits it.
   */
  void prepare(int rows) throws Exception;

  /**
   * Drains the backlog, reporting each finished batch to {@code progress}; returns when every
   * record is acknowledged by Kafka (and, for relays, removed from the table).
   */
  void drain(Progress progress) throws Exception;

  /** Stops what {@link #prepare} started and fails when anything is left or was sent twice. */
  void finish() throws Exception;

  /** Releases everything; safe after a failure. */
  @Override
  void close();
}
