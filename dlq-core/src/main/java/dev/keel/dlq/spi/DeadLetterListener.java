package dev.keel.dlq.spi;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;

/**
 * Hears what dlq-core did. Every method is a no-op by default.
 *
 * <p>Delivery: called synchronously on the thread that did the work, after the database commit; not
 * called when the work failed, and not guaranteed on JVM failure. An exception thrown by a listener
 * is logged and ignored. Implementations must be thread-safe and quick.
 */
public interface DeadLetterListener {

  /**
   * A record was written to the dead-letter topic and table. Fires once per stored dead letter,
   * when its copy in the topic is recorded: a repeated publish of the same record (a retry after a
   * failure) finds the row stored before and does not fire again.
   *
   * @param deadLetter the stored dead letter
   */
  default void onDeadLettered(DeadLetter deadLetter) {}

  /**
   * A record was parked behind a dead-lettered key (ordered mode).
   *
   * @param group the consumer group
   * @param topic the source topic
   */
  default void onParked(String group, String topic) {}

  /**
   * An operator replayed dead letters (and released parked records).
   *
   * @param result what was done
   */
  default void onReplayed(ActionResult result) {}

  /**
   * An operator discarded dead letters (and their parked records).
   *
   * @param result what was done
   */
  default void onDiscarded(ActionResult result) {}

  /**
   * How far a replay or discard is: fires each time one more selected dead letter is resolved
   * (after its commit), on the thread running the action, so that a paced replay of thousands can
   * show its progress (the {@code keel} command prints it). Dead letters refused or skipped on the
   * way count as handled too. {@code handled} can pass {@code selected} when dead letters matching
   * the selection arrived while the action ran.
   *
   * @param action {@code replay} or {@code discard}
   * @param handled the selected dead letters handled so far: resolved, refused or skipped
   * @param selected how many the action set out to handle: the {@code DEAD} dead letters matching
   *     the selection when it started, at most its limit
   */
  default void onProgress(String action, long handled, long selected) {}
}
