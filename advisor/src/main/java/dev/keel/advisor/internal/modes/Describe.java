package dev.keel.advisor.internal.modes;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.RetrySpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Shared wording of consumers' policies for the design and reliability modes. */
final class Describe {
  private Describe() {}

  static String retry(RetrySpec r) {
    return switch (r.mode()) {
      case NONE -> "none";
      case IN_PLACE -> "in place, up to " + r.maxAttempts() + " attempts";
      case NON_BLOCKING -> "non-blocking, " + Text.count(r.tiers().size(), "delay tier");
    };
  }

  static String backoff(RetrySpec r, List<String> topics) {
    return switch (r.mode()) {
      case NONE -> "none";
      case IN_PLACE ->
          "exponential from "
              + Text.duration(r.initialBackoff())
              + " x"
              + Text.number(r.multiplier())
              + ", capped at "
              + Text.duration(r.maxBackoff())
              + ", jitter "
              + Math.round(r.jitter() * 100)
              + "%";
      case NON_BLOCKING -> {
        List<String> tiers = new ArrayList<>();
        String topic = topics.isEmpty() ? "<topic>" : topics.get(0);
        for (int i = 0; i < r.tiers().size(); i++) {
          tiers.add(topic + ".retry." + (i + 1) + " after " + Text.duration(r.tiers().get(i)));
        }
        yield String.join(", ", tiers);
      }
    };
  }

  static String idempotency(IdempotencySpec i) {
    return switch (i.strategy()) {
      case NONE -> "none";
      case DEDUPE_TABLE ->
          "dedupe table on (group, " + i.key() + "), rows kept " + Text.duration(i.window());
      case BUSINESS_KEY ->
          "unique business key "
              + i.key()
              + ", checked in the handler's transaction, kept "
              + Text.duration(i.window());
      case NATURAL -> "naturally idempotent effect (" + i.key() + " not stored)";
    };
  }

  /** The topics a consumer reads, sorted. */
  static List<String> topics(Topology t, ConsumerSpec c) {
    TreeSet<String> out = new TreeSet<>();
    c.consumes().forEach(m -> t.topicOf(m).ifPresent(out::add));
    return List.copyOf(out);
  }

  /** Where the consumer's dead letters go. */
  static String dlq(Topology t, ConsumerSpec c) {
    List<String> routes = new ArrayList<>();
    for (String topic : topics(t, c)) {
      routes.add(
          topic
              + " -> "
              + t.topic(topic).flatMap(x -> x.dlq()).orElse("no dead-letter topic (KEEL-R004)"));
    }
    return String.join("; ", routes) + "; rows in keel_dead_letter (group " + c.group() + ")";
  }

  /** One line: retry, then poison handling for records of this topic. */
  static String failureStrategy(Topology t, ConsumerSpec c, String topic) {
    String dlq = t.topic(topic).flatMap(x -> x.dlq()).map(d -> " to " + d).orElse(" (no DLQ)");
    String then =
        switch (c.poison()) {
          case DEAD_LETTER -> "dead-letter" + dlq;
          case PARK_KEY -> "dead-letter" + dlq + " and park the key";
          case STOP -> "stop the partition";
        };
    return c.name() + ": " + (c.retry().retries() ? shortRetry(c.retry()) + ", then " : "") + then;
  }

  private static String shortRetry(RetrySpec r) {
    return r.mode() == RetrySpec.Mode.IN_PLACE
        ? r.maxAttempts() + " attempts in place"
        : "retry topics after " + String.join("/", r.tiers().stream().map(Text::duration).toList());
  }

  /** The longest window a consumer may need records back for. */
  static Duration reach(ConsumerSpec c) {
    return c.idempotency().window().plus(c.replayWindow());
  }
}
