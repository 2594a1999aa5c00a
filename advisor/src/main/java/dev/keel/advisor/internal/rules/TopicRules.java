package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Rule;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** KEEL-R004 (no DLQ), KEEL-R005 (DLQ partitions), KEEL-R012 (retention). */
final class TopicRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (TopicSpec topic : t.topics()) {
      List<ConsumerSpec> readers = t.consumersOfTopic(topic.name());
      if (readers.isEmpty() || t.isDeadLetterTopic(topic.name())) {
        continue;
      }
      if (topic.dlq().isEmpty()) {
        out.add(
            new Finding(
                Rule.TOPIC_WITHOUT_DLQ,
                "topic " + q(topic.name()),
                topic.name()
                    + " is read by "
                    + names(readers)
                    + " and has no dead-letter topic: a poison record blocks its partition or is"
                    + " lost.",
                "Declare dlq: "
                    + topic.name()
                    + ".dlq with "
                    + topic.partitions()
                    + " partitions; Keel writes dead letters there and to keel_dead_letter."));
      }
      topic.dlq().flatMap(t::topic).ifPresent(dlq -> partitions(topic, dlq, out));
      retention(topic, readers, out);
    }
    return out;
  }

  private static void partitions(TopicSpec topic, TopicSpec dlq, List<Finding> out) {
    if (dlq.partitions() < topic.partitions()) {
      out.add(
          new Finding(
              Rule.DLQ_FEWER_PARTITIONS,
              "topic " + q(dlq.name()),
              dlq.name()
                  + " has "
                  + dlq.partitions()
                  + " partitions for the "
                  + topic.partitions()
                  + " of "
                  + topic.name()
                  + ": dead letters cannot keep their source partition.",
              "Create " + dlq.name() + " with " + topic.partitions() + " partitions."));
    }
  }

  private static void retention(TopicSpec topic, List<ConsumerSpec> readers, List<Finding> out) {
    if (topic.retention().isEmpty()) {
      return;
    }
    Duration retention = topic.retention().get();
    ConsumerSpec worst = null;
    Duration need = Duration.ZERO;
    for (ConsumerSpec c : readers) {
      Duration d = c.idempotency().window().plus(c.replayWindow());
      if (d.compareTo(need) > 0) {
        need = d;
        worst = c;
      }
    }
    if (worst != null && retention.compareTo(need) < 0) {
      out.add(
          new Finding(
              Rule.RETENTION_TOO_SHORT,
              "topic " + q(topic.name()),
              topic.name()
                  + " keeps records "
                  + Text.duration(retention)
                  + " but consumer "
                  + worst.name()
                  + " dedupes over "
                  + Text.duration(worst.idempotency().window())
                  + " and may replay "
                  + Text.duration(worst.replayWindow())
                  + " back: a replay at the edge finds records already deleted.",
              "Set retention to at least "
                  + Text.duration(need)
                  + " on "
                  + topic.name()
                  + ", or shorten the replay window."));
    }
  }

  private static String names(List<ConsumerSpec> consumers) {
    return String.join(", ", consumers.stream().map(ConsumerSpec::name).toList());
  }
}
