package dev.keel.consumer.internal;

import dev.keel.dlq.RetryTiers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The due-time gate of delay-tier consumption: a record of {@code <topic>.retry.<n>} is handled
 * only once it is due, and a partition whose head record is not due yet is paused and rewound to
 * that record instead of sleeping the poll loop, so the loop keeps polling (never exceeding {@code
 * max.poll.interval.ms}) and other partitions keep flowing.
 *
 * <p>A record is due at the earlier of its timestamp plus its tier's delay and the moment the gate
 * first saw it plus that delay: a forged timestamp or {@code keel-dlq-due-at} header cannot hold a
 * partition longer than one tier delay. The same pause-and-rewind holds a partition while moving a
 * failed record on is being retried ({@link #holdUntil}).
 *
 * <p>Internal. Every method but {@link #pausedPartitions()} runs on the poll thread.
 */
public final class DueTimeGate {
  private final Consumer<byte[], byte[]> consumer;
  private final List<Duration> delays;
  private final Clock clock;
  private final Map<TopicPartition, Instant> pausedUntil = new ConcurrentHashMap<>();
  private final Map<String, Instant> firstSeen = new HashMap<>(); // poll thread only

  /**
   * A gate over the consumer's tier partitions.
   *
   * @param consumer the poll loop's consumer, which the gate pauses, resumes and rewinds
   * @param delays the tier delays, tier 1 first
   * @param clock the clock due times are read from
   */
  public DueTimeGate(Consumer<byte[], byte[]> consumer, List<Duration> delays, Clock clock) {
    this.consumer = consumer;
    this.delays = List.copyOf(delays);
    this.clock = clock;
  }

  /** Resumes the partitions whose due time or backoff has passed; call before each poll. */
  public void resumeDue() {
    Instant now = clock.instant();
    List<TopicPartition> ready = new ArrayList<>();
    pausedUntil.forEach(
        (tp, due) -> {
          if (!due.isAfter(now)) {
            ready.add(tp);
          }
        });
    if (!ready.isEmpty()) {
      ready.forEach(pausedUntil::remove);
      consumer.resume(ready);
    }
  }

  /**
   * Whether the partition is held: its records fetched before the pause are read again after the
   * rewind, so the caller skips them.
   */
  public boolean held(TopicPartition tp) {
    return pausedUntil.containsKey(tp);
  }

  /** Starts the bounded wait of every fetched record of a partition now, not at the head. */
  public void fetched(List<ConsumerRecord<byte[], byte[]>> records) {
    Instant fetchedAt = clock.instant();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      firstSeen.putIfAbsent(key(r), fetchedAt);
    }
  }

  /**
   * Whether the record is due. When it is not, its partition is rewound to it and paused until it
   * is, and the caller handles no later record of the partition from this poll.
   */
  public boolean admit(ConsumerRecord<byte[], byte[]> r) {
    Instant due = due(r);
    if (due.isAfter(clock.instant())) {
      hold(new TopicPartition(r.topic(), r.partition()), r.offset(), due);
      return false;
    }
    return true;
  }

  /** Rewinds the partition to the record and pauses it until the instant (a backoff). */
  public void holdUntil(ConsumerRecord<byte[], byte[]> r, Instant until) {
    hold(new TopicPartition(r.topic(), r.partition()), r.offset(), until);
  }

  /** The record is done (handled, moved on or skipped): forgets when it was first seen. */
  public void done(ConsumerRecord<byte[], byte[]> r) {
    firstSeen.remove(key(r));
  }

  /** Forgets revoked partitions: the next owner starts their waits afresh. */
  public void revoked(Collection<TopicPartition> partitions) {
    partitions.forEach(pausedUntil::remove);
    for (TopicPartition tp : partitions) {
      String prefix = tp.topic() + "-" + tp.partition() + "@";
      firstSeen.keySet().removeIf(k -> k.startsWith(prefix));
    }
  }

  /** Partitions held until a record is due or a backoff has passed; any thread. */
  public int pausedPartitions() {
    return pausedUntil.size();
  }

  /** When the record is due (the gate starts its wait now if it had not seen it). */
  Instant due(ConsumerRecord<byte[], byte[]> r) {
    Duration delay = delays.get(RetryTiers.tierOf(r.topic(), delays.size()).orElse(1) - 1);
    Instant seen = firstSeen.computeIfAbsent(key(r), k -> clock.instant());
    Instant byTimestamp = Instant.ofEpochMilli(Math.max(0, r.timestamp())).plus(delay);
    Instant bySight = seen.plus(delay);
    return byTimestamp.isBefore(bySight) ? byTimestamp : bySight;
  }

  private void hold(TopicPartition tp, long offset, Instant until) {
    consumer.seek(tp, offset);
    consumer.pause(List.of(tp));
    pausedUntil.put(tp, until);
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }
}
