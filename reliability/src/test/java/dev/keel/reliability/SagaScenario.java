package dev.keel.reliability;

import dev.keel.event.FailureClass;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.CommandHandler;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaParticipant;
import dev.keel.saga.SagaStepFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The saga of scenario 9, shared by the test and the orchestrator processes it kills: three steps
 * (reserve stock, charge, ship), each a command to a participant with a compensation. What each
 * participant does with a given saga step is decided by the saga id, so the test knows the outcome
 * each saga must reach:
 *
 * <ul>
 *   <li>an action refuses ({@link SagaStepFailure}, business) 5 % of the time: the saga compensates
 *       the steps before it, in reverse order;
 *   <li>an action throws a retriable exception on its first delivery 5 % of the time, after writing
 *       its effect: the consumer runtime rolls back and retries it;
 *   <li>a compensation throws a retriable exception on its first delivery 5 % of the time, and
 *       refuses its first attempt (transient {@link SagaStepFailure}, retried by the orchestrator's
 *       compensation policy) 3 % of the time.
 * </ul>
 *
 * <p>Every applied action and compensation writes a row to {@code saga_effect(seq, saga_id, step,
 * kind)} in the delivery's transaction; the table has no unique key, so a second application shows.
 */
final class SagaScenario {
  static final String NAME = "reliability-order";
  static final List<String> STEPS = List.of("reserve", "charge", "ship");

  /** Longer than any pause a kill causes: a timeout would change the expected outcome. */
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

  /** A dead orchestrator's reply partitions move after 6 s (the broker's minimum), not 45 s. */
  static final java.util.Map<String, Object> FAST_HANDOVER =
      java.util.Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000);

  /** The saga data. */
  record Order(String id) {}

  /** The topics of the saga: one command topic per participant, replies and outcomes. */
  record Topics(
      String inventory, String payments, String shipping, String replies, String outcomes) {
    List<String> commandTopics() {
      return List.of(inventory, payments, shipping);
    }
  }

  private SagaScenario() {}

  static SagaDefinition<Order> definition(Topics t) {
    List<String> topics = t.commandTopics();
    SagaDefinition.Builder<Order> b =
        SagaDefinition.builder(NAME, Order.class)
            .replyTopic(t.replies())
            .outcomeTopic(t.outcomes())
            .commandKey(Order::id)
            .compensationRetry(
                RetryPolicy.builder()
                    .maxAttempts(5)
                    .initialDelay(Duration.ofMillis(50))
                    .maxDelay(Duration.ofMillis(200))
                    .build());
    for (int i = 0; i < STEPS.size(); i++) {
      String step = STEPS.get(i);
      String topic = topics.get(i);
      b.step(
          step,
          s ->
              s.command(topic, step + ".do", d -> d)
                  .onReply(step + ".done")
                  .compensation(topic, step + ".undo", d -> d, step + ".undone")
                  .timeout(STEP_TIMEOUT));
    }
    return b.build();
  }

  /** What a participant does with one saga step. */
  enum Fate {
    FINE,
    REFUSE,
    THROW_ONCE
  }

  /** The fate of a step's action: 5 % refused, 5 % a retriable failure on first delivery. */
  static Fate actionFate(UUID saga, String step) {
    int r = roll(saga, step, 1);
    return r < 5 ? Fate.REFUSE : r < 10 ? Fate.THROW_ONCE : Fate.FINE;
  }

  /** Whether a compensation throws a retriable exception on its first delivery (5 %). */
  static boolean compensationThrowsOnce(UUID saga, String step) {
    return roll(saga, step, 2) < 5;
  }

  /** Whether a compensation refuses its first attempt (3 %); the orchestrator retries it. */
  static boolean compensationRefusesFirstAttempt(UUID saga, String step) {
    return roll(saga, step, 3) < 3;
  }

  /** The index of the first refused step, or -1 when the saga must complete. */
  static int firstRefused(UUID saga) {
    for (int i = 0; i < STEPS.size(); i++) {
      if (actionFate(saga, STEPS.get(i)) == Fate.REFUSE) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The effects a saga must leave, in order: {@code action:<step>} for each applied step, then
   * {@code compensation:<step>} for each of them in reverse order when a step was refused.
   */
  static List<String> expectedEffects(UUID saga) {
    int refused = firstRefused(saga);
    int applied = refused < 0 ? STEPS.size() : refused;
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < applied; i++) {
      out.add("action:" + STEPS.get(i));
    }
    if (refused >= 0) {
      for (int i = applied - 1; i >= 0; i--) {
        out.add("compensation:" + STEPS.get(i));
      }
    }
    return out;
  }

  private static int roll(UUID saga, String step, int salt) {
    long seed = saga.getMostSignificantBits() ^ saga.getLeastSignificantBits();
    return new Random(seed * 31 + step.hashCode() * 7L + salt).nextInt(100);
  }

  /** The participants (inventory, payments, shipping) of the saga, with their failure counters. */
  static final class Participants {
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger thrown = new AtomicInteger();
    final AtomicInteger compensationsRefused = new AtomicInteger();
    private final Set<String> thrownOnce = ConcurrentHashMap.newKeySet();

    SagaParticipant build(Topics t, dev.keel.outbox.Outbox outbox, String group) {
      SagaParticipant.Builder p =
          SagaParticipant.builder().group(group).outbox(outbox).replyTopics(t.replies());
      List<String> topics = t.commandTopics();
      for (int i = 0; i < STEPS.size(); i++) {
        String step = STEPS.get(i);
        p.onCommand(topics.get(i), step + ".do", Order.class, step + ".done", action(step));
        p.onCompensate(
            topics.get(i), step + ".undo", Order.class, step + ".undone", compensation(step));
      }
      return p.build();
    }

    private CommandHandler<Order> action(String step) {
      return cmd -> {
        effect(cmd.connection(), cmd.sagaId(), step, "action");
        switch (actionFate(cmd.sagaId(), step)) {
          case REFUSE -> {
            refused.incrementAndGet();
            // the effect row above must go with the savepoint the participant rolls back to
            throw new SagaStepFailure(step + ".refused", FailureClass.BUSINESS, "refused");
          }
          case THROW_ONCE -> throwOnce(cmd.sagaId(), step, "action");
          case FINE -> {}
        }
        return null;
      };
    }

    private CommandHandler<Order> compensation(String step) {
      return cmd -> {
        effect(cmd.connection(), cmd.sagaId(), step, "compensation");
        if (compensationThrowsOnce(cmd.sagaId(), step)) {
          throwOnce(cmd.sagaId(), step, "compensation");
        }
        if (compensationRefusesFirstAttempt(cmd.sagaId(), step) && cmd.attempt() == 1) {
          compensationsRefused.incrementAndGet();
          throw new SagaStepFailure(step + ".not-undone", FailureClass.TRANSIENT, "busy");
        }
        return null;
      };
    }

    /** Throws on the first delivery only; the effect row written before is rolled back. */
    private void throwOnce(UUID saga, String step, String kind) {
      if (thrownOnce.add(saga + "/" + step + "/" + kind)) {
        thrown.incrementAndGet();
        throw new RetriableKeelException("participant unavailable: " + step + " " + kind);
      }
    }
  }

  static void effect(Connection c, UUID saga, String step, String kind) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO saga_effect (saga_id, step, kind) VALUES (?, ?, ?)")) {
      ps.setObject(1, saga);
      ps.setString(2, step);
      ps.setString(3, kind);
      ps.executeUpdate();
    }
  }
}
