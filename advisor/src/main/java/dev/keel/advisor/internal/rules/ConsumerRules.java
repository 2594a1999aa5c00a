package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.RetrySpec;
import dev.keel.advisor.Rule;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** KEEL-R003 (idempotency) and KEEL-R006 (non-blocking retry on ordered consumers). */
final class ConsumerRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (ConsumerSpec c : t.consumers()) {
      List<String> redelivery = redeliveries(c);
      if (c.idempotency().strategy() == IdempotencySpec.Strategy.NONE && !redelivery.isEmpty()) {
        out.add(
            new Finding(
                Rule.CONSUMER_NOT_IDEMPOTENT,
                "consumer " + q(c.name()),
                c.name()
                    + " has no idempotency although "
                    + Text.and(redelivery)
                    + " deliver the same event again: its effects happen twice.",
                "Use idempotency: dedupe-table (Keel inserts (consumer_group, event_id) in the"
                    + " handler's transaction) or business-key, with a window that covers"
                    + " retries and replays."));
      }
      if (c.orderSensitive() && c.retry().mode() == RetrySpec.Mode.NON_BLOCKING) {
        out.add(
            new Finding(
                Rule.NON_BLOCKING_RETRY_ORDERED,
                "consumer " + q(c.name()),
                c.name()
                    + " needs "
                    + Text.spell(c.ordering())
                    + " order but retries through delay topics: a failed record is overtaken by"
                    + " the later records of its key.",
                "Use retry mode in-place with a bounded backoff, and poison: park-key so that"
                    + " later records of a dead-lettered key wait for an operator."));
      }
    }
    return out;
  }

  private static List<String> redeliveries(ConsumerSpec c) {
    List<String> out = new ArrayList<>();
    if (c.retry().retries()) {
      out.add("retries");
    }
    if (c.poison() != ConsumerSpec.Poison.STOP) {
      out.add("dead-letter replays");
    }
    if (!c.replayWindow().isZero()) {
      out.add("offset replays over " + Text.duration(c.replayWindow()));
    }
    return out;
  }
}
