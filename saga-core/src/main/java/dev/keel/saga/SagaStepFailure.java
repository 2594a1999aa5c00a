package dev.keel.saga;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelException;
import java.util.Objects;

/**
 * Thrown by a participant's {@link CommandHandler} (or a {@link LocalAction}) to fail a saga step
 * with a reply, rather than to have the delivery retried. The failure reply's type is a fact, such
 * as {@code payment.declined}.
 *
 * <p>It is not a poison-message signal: the participant helper turns it into a failure reply, and
 * the orchestrator, not the consumer runtime, decides what happens next. The failure class decides
 * what a retry-forward policy does: {@code TRANSIENT} is retried, {@code BUSINESS} normally is not.
 */
public class SagaStepFailure extends KeelException {
  private static final long serialVersionUID = 1L;

  private final String replyType;

  /**
   * A step failure.
   *
   * @param replyType the failure reply's type, such as {@code payment.declined}
   * @param failureClass why: {@code BUSINESS}, {@code TRANSIENT}, ...
   * @param reason a short reason without personal data; carried in a reply header
   */
  public SagaStepFailure(String replyType, FailureClass failureClass, String reason) {
    super(Objects.requireNonNull(failureClass, "failureClass"), reason);
    this.replyType = Objects.requireNonNull(replyType, "replyType");
  }

  /** The failure reply's type. */
  public String replyType() {
    return replyType;
  }
}
