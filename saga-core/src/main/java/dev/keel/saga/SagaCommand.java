package dev.keel.saga;

import dev.keel.event.Event;
import java.sql.Connection;
import java.util.UUID;

/**
 * A saga command delivered to a participant handler, with the transaction to apply it in.
 *
 * <p>Valid only during the handler call and on the calling thread.
 *
 * @param sagaId the saga
 * @param step the step name
 * @param attempt the attempt of the action or compensation, from 1
 * @param payload the decoded command payload
 * @param event the command event
 * @param connection the handler's open transaction (the dedupe row and the participant row are in
 *     it); do not commit, roll back or close it
 * @param <C> the command payload type
 */
public record SagaCommand<C>(
    UUID sagaId, String step, int attempt, C payload, Event event, Connection connection) {}
