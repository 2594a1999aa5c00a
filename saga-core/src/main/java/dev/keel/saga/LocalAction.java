package dev.keel.saga;

import java.sql.Connection;

/**
 * A step action or compensation executed in the orchestrator's own transaction, the one that
 * records the step. Its database effects commit or roll back with the saga's state: a failure rolls
 * back to a savepoint taken just before the call, then follows the step's failure policy.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface LocalAction<D> {

  /**
   * Runs the local effect.
   *
   * @param tx the orchestrator's open transaction; do not commit, roll back or close it
   * @param data the current saga data
   * @return the saga data after the step (may be {@code data} itself)
   * @throws Exception any failure. A database error of SQLState class 22 (data exception: a value
   *     too long, U+0000 in text, an invalid number) anywhere in its cause chain counts as {@code
   *     VALIDATION}, permanent: a step action fails without forward retries, a compensation without
   *     compensation retries (unless the policy retries {@code VALIDATION}). Otherwise, in an
   *     action, a {@link dev.keel.event.KeelException} keeps its failure class and anything else
   *     counts as {@code TRANSIENT}; a compensation is retried under the definition's {@code
   *     compensationRetry} whatever else failed it.
   */
  D apply(Connection tx, D data) throws Exception;
}
