package dev.keel.saga;

/**
 * Applies a participant's success reply to the saga data. Runs in the transaction that records the
 * step; must not have other side effects.
 *
 * @param <D> the saga data type
 * @param <R> the reply payload type
 */
@FunctionalInterface
public interface ReplyHandler<D, R> {

  /**
   * Returns the saga data updated with the reply.
   *
   * @param data the current data
   * @param reply the decoded reply payload
   */
  D apply(D data, R reply);
}
