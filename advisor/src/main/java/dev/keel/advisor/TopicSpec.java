package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.Optional;

/**
 * A Kafka topic. Immutable.
 *
 * @param name the topic name, unique in the topology
 * @param partitions the partition count, at least 1
 * @param retention how long records are kept; empty means forever (compacted or infinite)
 * @param dlq the dead-letter topic for records of this topic that cannot be processed, if any
 */
public record TopicSpec(
    String name, int partitions, Optional<Duration> retention, Optional<String> dlq) {
  /** Kafka's default retention, used when a topic declares none. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** Validates the topic. */
  public TopicSpec {
    Checks.name("topic.name", name);
    if (partitions < 1) {
      throw new KeelConfigurationException(
          "topic " + Checks.q(name) + ": partitions must be at least 1, was " + partitions);
    }
    retention = Checks.optional(retention);
    retention.ifPresent(r -> Checks.positive("topic " + Checks.q(name) + ": retention", r));
    dlq = Checks.optional(dlq);
  }

  /** A topic with a finite retention and a dead-letter topic (null for none). */
  public static TopicSpec of(String name, int partitions, Duration retention, String dlq) {
    return new TopicSpec(
        name, partitions, Optional.ofNullable(retention), Optional.ofNullable(dlq));
  }
}
