package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Replay and observability sections, shared by the design and reliability modes. */
final class Operations {
  private Operations() {}

  static void replay(Topology t, Doc d) {
    d.h2("Replay");
    d.p(
        "A replayed dead letter keeps its key and `keel-event-id`, so idempotent consumers skip"
            + " what they already applied. A topic must keep records for the longest dedupe window"
            + " plus replay window of its consumers (KEEL-R012).");
    Doc.TableBuilder table =
        d.table(
            "Topic",
            "Partitions",
            "Retention",
            "Dead-letter topic",
            "Needed (dedupe + replay)",
            "Covered");
    for (TopicSpec topic : t.topics()) {
      if (t.isDeadLetterTopic(topic.name())) {
        continue;
      }
      Duration need = Duration.ZERO;
      for (ConsumerSpec c : t.consumersOfTopic(topic.name())) {
        Duration r = Describe.reach(c);
        need = r.compareTo(need) > 0 ? r : need;
      }
      Duration needed = need;
      boolean covered = topic.retention().map(r -> r.compareTo(needed) >= 0).orElse(true);
      table.row(
          topic.name(),
          Integer.toString(topic.partitions()),
          Text.duration(topic.retention(), "forever"),
          topic.dlq().orElse("none"),
          Text.duration(needed),
          covered ? "yes" : "no");
    }
    table.end();
  }

  static void observability(Topology t, Doc d) {
    d.h2("Observability");
    TreeSet<String> outbox = new TreeSet<>();
    t.events().stream()
        .filter(e -> e.publishedVia() == Publication.OUTBOX)
        .map(EventSpec::producer)
        .forEach(outbox::add);
    t.commands().stream()
        .filter(c -> c.publishedVia() == Publication.OUTBOX)
        .map(CommandSpec::sender)
        .forEach(outbox::add);
    List<String> items = new ArrayList<>();
    if (!outbox.isEmpty()) {
      items.add(
          "Outbox relays ("
              + String.join(", ", outbox)
              + "): `keel.outbox.pending`,"
              + " `keel.outbox.oldest.age` (alert when it grows), `keel.outbox.publish.latency`,"
              + " `keel.relay.lanes.owned`.");
    }
    List<String> groups = t.consumers().stream().map(ConsumerSpec::group).sorted().toList();
    if (!groups.isEmpty()) {
      items.add(
          "Consumer groups ("
              + String.join(", ", groups)
              + "): `keel.consumer.records`"
              + " by result (processed, duplicate, retried, dead_lettered; alert on dead_lettered),"
              + " `keel.consumer.handle.duration`, and consumer lag.");
    }
    List<String> dlqs =
        t.topics().stream()
            .filter(x -> t.isDeadLetterTopic(x.name()))
            .map(TopicSpec::name)
            .toList();
    if (!dlqs.isEmpty()) {
      items.add(
          "Dead letters ("
              + String.join(", ", dlqs)
              + "): `keel.dlq.records` by reason,"
              + " `keel.dlq.replayed`; the `keel_dead_letter` table for operators.");
    }
    List<String> sagas = t.sagas().stream().map(SagaSpec::name).toList();
    if (!sagas.isEmpty()) {
      items.add(
          "Sagas ("
              + String.join(", ", sagas)
              + "): `keel.saga.started`,"
              + " `keel.saga.completed`, `keel.saga.compensated`, `keel.saga.failed`,"
              + " `keel.saga.step.duration`, and `keel.saga.stuck` (alert above zero), tagged by"
              + " the orchestrator's `group`; `keel.saga.replies.rejected` and"
              + " `keel.saga.commands.rejected` (alert above zero: forged or mistyped saga"
              + " messages).");
    }
    items.add(
        "Tracing: the `traceparent` of the business transaction is stored with the outbox row"
            + " and continued by every consumer; saga messages carry `keel-saga-id` and"
            + " `keel-saga-step`.");
    d.bullets(items);
  }
}
