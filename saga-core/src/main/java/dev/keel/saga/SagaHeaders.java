package dev.keel.saga;

import dev.keel.event.EventHeaders;

/**
 * Headers on saga commands and replies, beyond the envelope (docs/design.md §2). Participants
 * written without Keel copy {@link #SAGA_ID}, {@link #SAGA_STEP}, {@link #KIND} and {@link
 * #ATTEMPT} from the command to the reply, put the command's event id in {@link #COMMAND_ID}, set
 * {@link #OUTCOME} and their own {@code keel-source}, and send it to {@link #REPLY_TO} only when
 * that is a reply topic they are configured for.
 */
public final class SagaHeaders {
  /** The saga id. */
  public static final String SAGA_ID = EventHeaders.SAGA_ID;

  /** The step name. */
  public static final String SAGA_STEP = EventHeaders.SAGA_STEP;

  /** {@code action} or {@code compensation}. */
  public static final String KIND = "keel-saga-kind";

  /** The attempt of the step's action or compensation, from 1. */
  public static final String ATTEMPT = "keel-saga-attempt";

  /** On commands: the topic replies go to. */
  public static final String REPLY_TO = "keel-saga-reply-to";

  /**
   * On replies: the event id of the command answered, which the orchestrator requires to be the
   * command the saga waits on (its nonce).
   */
  public static final String COMMAND_ID = "keel-saga-command-id";

  /**
   * On commands: a token of the saga step, the same on every action and compensation command of
   * that step and different for every saga and step. A participant stores it with the action it
   * applied and undoes that action only for a compensation carrying the same token.
   */
  public static final String STEP_TOKEN = "keel-saga-step-token";

  /** On replies: {@code success} or {@code failure}. */
  public static final String OUTCOME = "keel-saga-outcome";

  /** On failure replies: the failure class ({@code BUSINESS}, {@code TRANSIENT}, ...). */
  public static final String FAILURE_CLASS = "keel-saga-failure-class";

  /** On failure replies: a short reason, without personal data. */
  public static final String FAILURE_REASON = "keel-saga-failure-reason";

  /** The kind value of a step action. */
  public static final String KIND_ACTION = "action";

  /** The kind value of a compensation. */
  public static final String KIND_COMPENSATION = "compensation";

  private SagaHeaders() {}
}
