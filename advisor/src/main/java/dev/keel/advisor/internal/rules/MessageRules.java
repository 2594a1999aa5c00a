package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Publication;
import dev.keel.advisor.Rule;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** KEEL-R001 (event naming), KEEL-R002 (command as event), KEEL-R008 (dual write). */
final class MessageRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (EventSpec e : t.events()) {
      naming(e, out);
      if (e.triggeredByDbChange() && e.publishedVia() == Publication.DIRECT) {
        out.add(
            new Finding(
                Rule.DB_CHANGE_WITHOUT_OUTBOX,
                "event " + q(e.name()),
                e.producer()
                    + " changes its database and then sends "
                    + e.name()
                    + " with a direct producer: a crash or broker outage between the two loses"
                    + " the event, a rollback after the send publishes a change that never"
                    + " happened.",
                "Set publishedVia: outbox and append the event with outbox.append(tx, event) in"
                    + " the transaction that writes the change; the relay publishes it after"
                    + " commit."));
      }
    }
    for (CommandSpec c : t.commands()) {
      commandAsEvent(t, c, out);
      boolean fromSaga =
          t.sagas().stream().map(SagaSpec::orchestrator).anyMatch(c.sender()::equals);
      if (fromSaga && c.publishedVia() == Publication.DIRECT) {
        out.add(
            new Finding(
                Rule.DB_CHANGE_WITHOUT_OUTBOX,
                "command " + q(c.name()),
                c.sender()
                    + " records saga progress in its database and sends "
                    + c.name()
                    + " with a direct producer: the saga state and the command can disagree"
                    + " after a crash.",
                "Set publishedVia: outbox; the saga engine writes state, step log and command in"
                    + " one transaction."));
      }
    }
    return out;
  }

  private static void naming(EventSpec e, List<Finding> out) {
    if (Names.pastTense(e.name())) {
      return;
    }
    String why =
        Names.imperative(e.name())
            ? e.name()
                + " reads as a command (imperative verb): consumers will take it as an order"
                + " to act rather than a fact they may react to."
            : e.name() + " is not in past tense: it does not say what happened.";
    out.add(
        new Finding(
            Rule.EVENT_NOT_PAST_TENSE,
            "event " + q(e.name()),
            why,
            "Name the fact that happened, in past tense (for example order.placed,"
                + " payment.authorized); if it really asks a service to act, declare it under"
                + " commands with one handler."));
  }

  private static void commandAsEvent(Topology t, CommandSpec c, List<Finding> out) {
    List<String> reasons = new ArrayList<>();
    List<String> sharing =
        t.events().stream().filter(e -> e.topic().equals(c.topic())).map(EventSpec::name).toList();
    if (!sharing.isEmpty()) {
      reasons.add(
          "it travels on " + c.topic() + " together with the events " + String.join(", ", sharing));
    }
    TreeSet<String> services = new TreeSet<>();
    t.consumersOf(c.name()).stream().map(ConsumerSpec::service).forEach(services::add);
    if (services.size() > 1) {
      reasons.add(
          "it is handled by "
              + services.size()
              + " services ("
              + String.join(", ", services)
              + ")");
    }
    if (services.size() == 1 && !services.contains(c.handler())) {
      reasons.add("it is handled by " + services.first() + ", not by its handler");
    }
    if (reasons.isEmpty()) {
      return;
    }
    out.add(
        new Finding(
            Rule.COMMAND_AS_EVENT,
            "command " + q(c.name()),
            c.name()
                + " is a command for "
                + c.handler()
                + " but "
                + String.join(" and ", reasons)
                + ": every subscriber acts on it and nobody owns the outcome.",
            "Send the command on a command topic read only by "
                + c.handler()
                + "; let other services react to the fact "
                + c.handler()
                + " publishes afterwards."));
  }
}
