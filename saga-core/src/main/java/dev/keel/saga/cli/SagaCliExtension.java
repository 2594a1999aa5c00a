package dev.keel.saga.cli;

import dev.keel.dlq.cli.KeelCliExtension;

/** Registers {@code keel saga} in dlq-core's {@code keel} command line (found by ServiceLoader). */
public final class SagaCliExtension implements KeelCliExtension {

  /** Used by {@link java.util.ServiceLoader}. */
  public SagaCliExtension() {}

  @Override
  public String name() {
    return "saga";
  }

  @Override
  public Object command() {
    return new SagaCommand();
  }
}
