package dev.keel.advisor.internal.modes;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.SyncCall;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code migration} mode: synchronous side effects to events, phase by phase. */
public final class MigrationMode {
  private MigrationMode() {}

  /** Builds the migration document. */
  public static Doc build(Topology t) {
    Doc d = new Doc("Migration plan: " + t.system());
    List<SyncCall> calls = t.synchronous().stream().filter(SyncCall::sideEffect).toList();
    if (calls.isEmpty()) {
      d.p(
          "No synchronous side effect is marked (`sideEffect: true` under `synchronous`): there"
              + " is nothing to migrate.");
      return d;
    }
    d.p(
        "Each synchronous side effect moves to an event in phases. The old path stays until the"
            + " new one has proved stable; every phase has a checkpoint to pass and a rollback that"
            + " needs no data repair.");
    for (SyncCall call : calls) {
      plan(t, call, d);
    }
    return d;
  }

  private static void plan(Topology t, SyncCall call, Doc d) {
    d.h2(call.id());
    Optional<EventSpec> event = call.replacedBy().flatMap(t::event);
    String name =
        event.map(EventSpec::name).orElse("a new past-tense fact owned by " + call.caller());
    List<ConsumerSpec> consumers =
        event
            .map(
                e ->
                    t.consumersOf(e.name()).stream()
                        .filter(c -> c.service().equals(call.callee()))
                        .toList())
            .orElse(List.of());
    String consumer =
        consumers.isEmpty()
            ? "a new consumer group in " + call.callee()
            : consumers.get(0).name() + " (group " + consumers.get(0).group() + ")";
    d.p(
        call.caller()
            + " calls "
            + call.callee()
            + "."
            + call.operation()
            + " over "
            + Text.spell(call.transport())
            + " and changes state there. Target: "
            + call.caller()
            + " publishes "
            + name
            + " and "
            + call.callee()
            + " reacts through "
            + consumer
            + ".");
    d.h3("Preconditions");
    d.bullets(preconditions(t, call, event, consumers));
    d.h3("Phases");
    d.table("Phase", "Change", "Checkpoint (go on when)", "Rollback")
        .row(
            "1. Publish",
            call.caller()
                + " appends "
                + name
                + " to its outbox in the transaction"
                + " that precedes the call; the call stays.",
            "`keel.outbox.oldest.age` stays low; one event per call for a full business cycle.",
            "Stop appending (feature flag); nobody consumes the event yet.")
        .row(
            "2. Shadow",
            consumer
                + " consumes the event without effects and compares with what"
                + " the call did.",
            "zero mismatches and an empty dead-letter queue over an agreed period.",
            "Stop the consumer group; the call still does the work.")
        .row(
            "3. Switch",
            consumer
                + " performs the effect; "
                + call.callee()
                + "."
                + call.operation()
                + " becomes a no-op for requests that carry the event id.",
            "effects, latency and `keel.consumer.records{result=dead_lettered}` as before the"
                + " switch.",
            "Re-enable the call's effect and put the consumer back in shadow; dedupe on the event"
                + " id prevents double effects.")
        .row(
            "4. Retire",
            "Remove the call from "
                + call.caller()
                + " and the operation from "
                + call.callee()
                + ".",
            "no call observed for longer than the topic retention.",
            "Redeploy the previous release: phases 1 to 3 left the old path intact until now.")
        .end();
  }

  private static List<String> preconditions(
      Topology t, SyncCall call, Optional<EventSpec> event, List<ConsumerSpec> consumers) {
    List<String> out = new ArrayList<>();
    if (event.isEmpty()) {
      out.add("Declare the event (`replacedBy`) with its contract, owner and version.");
    } else {
      EventSpec e = event.get();
      out.add(
          e.name()
              + " is declared (v"
              + e.version().map(String::valueOf).orElse("?")
              + ", topic "
              + e.topic()
              + ").");
      out.add(
          e.publishedVia() == Publication.OUTBOX
              ? e.name() + " is published through the outbox."
              : "Publish " + e.name() + " through the outbox first (KEEL-R008).");
      out.add(
          t.topic(e.topic())
              .flatMap(x -> x.dlq())
              .map(x -> "Topic " + e.topic() + " has a dead-letter topic (" + x + ").")
              .orElse("Give topic " + e.topic() + " a dead-letter topic first (KEEL-R004)."));
    }
    if (consumers.isEmpty()) {
      out.add("Add a consumer in " + call.callee() + " with idempotency dedupe-table.");
    } else {
      consumers.forEach(
          c ->
              out.add(
                  c.idempotency().strategy() == IdempotencySpec.Strategy.NONE
                      ? "Make " + c.name() + " idempotent first (KEEL-R003)."
                      : c.name()
                          + " is idempotent ("
                          + c.idempotency()
                              .strategy()
                              .name()
                              .toLowerCase(java.util.Locale.ROOT)
                              .replace('_', '-')
                          + ")."));
    }
    return out;
  }
}
