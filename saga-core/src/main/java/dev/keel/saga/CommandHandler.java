package dev.keel.saga;

/**
 * Executes a saga command (an action or a compensation) at a participant, in the transaction of the
 * delivery. Returning commits the effects, the participant row and the reply together.
 *
 * @param <C> the command payload type
 */
@FunctionalInterface
public interface CommandHandler<C> {

  /**
   * Applies the command.
   *
   * @param command the command and its transaction
   * @return the success reply's payload (encoded as JSON; null for an empty object)
   * @throws SagaStepFailure to reply with a failure: the handler's effects are rolled back to a
   *     savepoint and the saga follows the step's failure policy
   * @throws Exception any other failure: rolled back and retried by the consumer runtime
   */
  Object handle(SagaCommand<C> command) throws Exception;
}
