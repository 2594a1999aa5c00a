package dev.keel.spring.boot.autoconfigure.saga;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.saga.SagaParticipant;
import java.util.List;
import java.util.Objects;

/**
 * The application's {@link SagaParticipant} beans in one consumer runtime of their own, built from
 * the data source, {@code spring.kafka.*} and {@code keel.consumer.*}. Each participant consumes in
 * its own group ({@link SagaParticipant.Builder#group}); its handlers run in the delivery's
 * database transaction, with its dedupe row and its reply appended to the outbox.
 *
 * <p>Started and stopped with the context by a {@code KeelLifecycle}.
 */
public final class SagaParticipants implements AutoCloseable {
  private final List<SagaParticipant> participants;
  private final ConsumerRuntime runtime;

  /**
   * The participants and the runtime that runs their listeners.
   *
   * @param participants the participants
   * @param runtime the runtime their listeners are registered with, not started
   */
  public SagaParticipants(List<SagaParticipant> participants, ConsumerRuntime runtime) {
    this.participants = List.copyOf(participants);
    this.runtime = Objects.requireNonNull(runtime, "runtime");
  }

  /** The participants, in bean order. */
  public List<SagaParticipant> participants() {
    return participants;
  }

  /** The runtime that runs the participants' listeners. */
  public ConsumerRuntime runtime() {
    return runtime;
  }

  /** Starts the runtime. */
  void start() {
    runtime.start();
  }

  /** Closes the runtime: the commands in flight finish and their offsets are committed. */
  @Override
  public void close() {
    runtime.close();
  }
}
