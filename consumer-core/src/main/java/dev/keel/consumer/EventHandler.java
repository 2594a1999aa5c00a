package dev.keel.consumer;

/**
 * Handles one delivered event inside the transaction the runtime opened for it. The non-annotation
 * form of a {@link KeelListener} method.
 *
 * <p>Called on a worker thread of the runtime; records of one lane (a partition, or a key in {@link
 * Ordering#KEY} mode) are never handled concurrently, different lanes may be. Implementations used
 * with more than one worker thread must be thread-safe.
 */
@FunctionalInterface
public interface EventHandler {

  /**
   * Applies the event's effects through {@link Delivery#connection()}. Returning commits them
   * together with the dedupe row; throwing rolls both back and hands the error to the retry policy.
   *
   * @param delivery the event, its payload and the transaction
   * @throws Exception any failure; classified by the runtime's {@code FailureClassifier}
   */
  void handle(Delivery delivery) throws Exception;
}
