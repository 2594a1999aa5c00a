package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.RetrySpec;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import dev.keel.event.FailureClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code reliability} mode: the plan per consumer, producer and saga. */
public final class ReliabilityMode {
  private ReliabilityMode() {}

  /** Builds the reliability document. */
  public static Doc build(Topology t) {
    Doc d = new Doc("Reliability plan: " + t.system());
    d.p(
        "Delivery is at least once end to end: the outbox relay publishes after commit, consumers"
            + " commit offsets after their database transaction. Idempotency turns that into"
            + " effectively-once effects.");
    d.h2("Failure taxonomy");
    Doc.TableBuilder tax = d.table("Failure class", "Default action");
    for (FailureClass f : FailureClass.values()) {
      tax.row(f.tag(), Text.spell(f.defaultAction()));
    }
    tax.end();
    d.h2("Consumers");
    for (ConsumerSpec c : t.consumers()) {
      consumer(t, c, d);
    }
    producers(t, d);
    sagas(t, d);
    Operations.replay(t, d);
    return d;
  }

  private static void consumer(Topology t, ConsumerSpec c, Doc d) {
    d.h3(c.name() + " (" + c.service() + ", group " + c.group() + ")");
    List<String> topics = Describe.topics(t, c);
    d.table("Aspect", "Plan")
        .row("Consumes", String.join(", ", c.consumes()) + " from " + String.join(", ", topics))
        .row("Ordering", ordering(c))
        .row("Retry policy", Describe.retry(c.retry()))
        .row("Backoff", Describe.backoff(c.retry(), topics))
        .row("Poison handling", poison(c))
        .row("DLQ routing", Describe.dlq(t, c))
        .row("Idempotency", Describe.idempotency(c.idempotency()))
        .row("Replay safety", replay(t, c))
        .row("Operator controls", operators(c))
        .end();
  }

  private static String ordering(ConsumerSpec c) {
    String needs = Text.spell(c.ordering());
    if (c.orderSensitive() && c.retry().mode() == RetrySpec.Mode.NON_BLOCKING) {
      return needs + ", but non-blocking retry lets later records overtake (KEEL-R006)";
    }
    if (!c.orderSensitive()) {
      return needs;
    }
    return needs
        + (c.retry().mode() == RetrySpec.Mode.IN_PLACE
            ? ", kept by in-place retry"
            : ", kept: records are handled in partition order");
  }

  private static String poison(ConsumerSpec c) {
    String base =
        c.retry().retries()
            ? "deserialization, contract-version, validation and business failures at once;"
                + " transient and unknown failures after the retries"
            : "every failure at once (no retry)";
    return switch (c.poison()) {
      case DEAD_LETTER -> "dead-letter " + base + "; later records go on";
      case PARK_KEY ->
          "dead-letter "
              + base
              + "; later records of the same key are parked until"
              + " an operator resolves the dead letter";
      case STOP -> "stop the consumer on " + base + "; the partition waits for a fix";
    };
  }

  private static String replay(Topology t, ConsumerSpec c) {
    if (c.idempotency().strategy() == IdempotencySpec.Strategy.NONE) {
      return "unsafe: a replay repeats effects (KEEL-R003)";
    }
    Duration reach = Describe.reach(c);
    List<String> short_ = new ArrayList<>();
    for (String topic : Describe.topics(t, c)) {
      t.topic(topic)
          .flatMap(x -> x.retention())
          .filter(r -> r.compareTo(reach) < 0)
          .ifPresent(r -> short_.add(topic + " keeps only " + Text.duration(r)));
    }
    String window =
        c.idempotency().strategy() == IdempotencySpec.Strategy.NATURAL
            ? "replays are harmless by nature"
            : "replays within " + Text.duration(c.idempotency().window()) + " are deduplicated";
    String resets =
        c.replayWindow().isZero()
            ? "no offset resets planned"
            : "offset resets up to " + Text.duration(c.replayWindow()) + " back";
    return (short_.isEmpty() ? "safe: " : "at risk (" + String.join(", ", short_) + "): ")
        + window
        + "; "
        + resets;
  }

  private static String operators(ConsumerSpec c) {
    String base =
        "`keel dlq` list, show, replay, discard and audit with `--group "
            + c.group()
            + "`; replay keeps key and event id, is rate-limited and allow-listed; every action"
            + " is audited";
    return c.poison() == ConsumerSpec.Poison.PARK_KEY
        ? base + "; resolve parked keys"
        : c.poison() == ConsumerSpec.Poison.STOP ? base + "; restart the group after a fix" : base;
  }

  private static void producers(Topology t, Doc d) {
    d.h2("Producers");
    Doc.TableBuilder table = d.table("Message", "Producer", "Publication", "Guarantee");
    for (EventSpec e : t.events()) {
      table.row(e.name(), e.producer(), Text.spell(e.publishedVia()), guarantee(e.publishedVia()));
    }
    for (CommandSpec c : t.commands()) {
      table.row(c.name(), c.sender(), Text.spell(c.publishedVia()), guarantee(c.publishedVia()));
    }
    table.end();
  }

  private static String guarantee(Publication p) {
    return p == Publication.OUTBOX
        ? "at least once, with the business change; per-key order through relay lanes"
        : "lost on a crash between commit and send; no order across retries";
  }

  private static void sagas(Topology t, Doc d) {
    if (t.sagas().isEmpty()) {
      return;
    }
    d.h2("Sagas");
    for (SagaSpec s : t.sagas()) {
      List<String> items = new ArrayList<>();
      for (SagaStepSpec st : s.steps()) {
        items.add(
            st.name()
                + ": timeout "
                + Text.duration(st.timeout(), "none")
                + ", compensation "
                + st.compensation().orElse("none")
                + "; replies through the idempotent consumer");
      }
      items.add(
          "State, step log and next command are written in one transaction with the outbox"
              + " row; deadlines are scanned from the database.");
      items.add(
          "Compensations run in reverse order and are retried; a saga that cannot compensate"
              + " ends in COMPENSATION_FAILED and is counted by `keel.saga.stuck` for an operator.");
      d.h3(
          s.name()
              + " (orchestrator "
              + s.orchestrator()
              + ", deadline "
              + Text.duration(s.timeout(), "none")
              + ")");
      d.bullets(items);
    }
  }
}
