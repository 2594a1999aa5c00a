package dev.keel.consumer.internal;

import dev.keel.consumer.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread of one group and topic: owns the Kafka consumer, dispatches records to lanes,
 * pauses partitions at the in-flight bound, commits offsets below the lowest unfinished record, and
 * on revoke or close waits for records being handled before its last commit.
 */
final class PollLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final String group;
  private final String topic;
  private final Ordering ordering;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final LaneExecutor lanes;
  private final int maxInFlight;
  private final Duration pollTimeout;
  private final long commitIntervalNanos;
  private final Duration closeTimeout;
  private final AtomicLong lag;
  private final Consumer<Throwable> fatal;
  private final Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
  private final Object progress = new Object();
  private volatile boolean stopping;
  private long lastCommit = System.nanoTime();

  PollLoop(
      SubscriptionPlan plan,
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      LaneExecutor lanes,
      RuntimeConfig config,
      AtomicLong lag,
      Consumer<Throwable> fatal) {
    this(
        new Settings(
            plan.group(),
            plan.topic(),
            plan.ordering(),
            config.maxInFlight(),
            config.pollTimeout(),
            config.commitInterval(),
            config.closeTimeout()),
        consumer,
        lanes,
        lag,
        fatal);
  }

  /**
   * What a loop needs of its subscription and configuration: the seam unit tests build loops from
   * (with a {@code MockConsumer}), without listeners or a database.
   */
  record Settings(
      String group,
      String topic,
      Ordering ordering,
      int maxInFlight,
      Duration pollTimeout,
      Duration commitInterval,
      Duration closeTimeout) {}

  PollLoop(
      Settings settings,
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      LaneExecutor lanes,
      AtomicLong lag,
      Consumer<Throwable> fatal) {
    this.group = settings.group();
    this.topic = settings.topic();
    this.ordering = settings.ordering();
    this.consumer = consumer;
    this.lanes = lanes;
    this.maxInFlight = settings.maxInFlight();
    this.pollTimeout = settings.pollTimeout();
    this.commitIntervalNanos = settings.commitInterval().toNanos();
    this.closeTimeout = settings.closeTimeout();
    this.lag = lag;
    this.fatal = fatal;
  }

  /** Asks the loop to stop; it finishes in-flight records, commits and closes the consumer. */
  void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        for (ConsumerRecord<byte[], byte[]> r : records) {
          dispatch(r);
        }
        backpressure();
        if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
          commit(trackers.values(), false);
        }
        updateLag();
      }
    } catch (InterruptException e) {
      Thread.interrupted();
      log.warn("Keel consumer group {}: poll thread interrupted", group);
    } catch (RuntimeException | Error e) {
      log.error("Keel consumer group {} on {}: poll loop failed", group, topic, e);
      fatal.accept(e);
    } finally {
      shutdown();
    }
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    PartitionTracker t = trackers.get(tp);
    if (t == null || !t.dispatched(r.offset())) {
      return;
    }
    Object lane =
        ordering == Ordering.KEY
            ? new LaneKey(
                tp, r.key() == null ? null : new String(r.key(), StandardCharsets.ISO_8859_1))
            : tp;
    lanes.submit(lane, new Work(r, t));
  }

  private record LaneKey(TopicPartition partition, String key) {}

  private void backpressure() {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (PartitionTracker t : trackers.values()) {
      int n = t.unfinished();
      if (!t.paused() && n >= maxInFlight) {
        pause.add(t.partition);
        t.paused(true);
      } else if (t.paused() && n <= maxInFlight / 2) {
        resume.add(t.partition);
        t.paused(false);
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private void commit(Collection<PartitionTracker> which, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<TopicPartition, Long> previous = new HashMap<>();
    for (PartitionTracker t : which) {
      long c = t.committable();
      if (c > t.lastCommitted()) {
        offsets.put(t.partition, new OffsetAndMetadata(c));
        previous.put(t.partition, t.lastCommitted());
        t.lastCommitted(c);
      }
    }
    lastCommit = System.nanoTime();
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      try {
        consumer.commitSync(offsets, closeTimeout);
      } catch (RuntimeException e) {
        // The records will be delivered again; their dedupe rows make that harmless.
        log.warn(
            "Keel consumer group {}: committing offsets failed: {}",
            group,
            e.getClass().getSimpleName());
      }
      return;
    }
    consumer.commitAsync(
        offsets,
        (done, error) -> {
          if (error != null) {
            log.debug("Keel consumer group {}: async commit failed", group, error);
            previous.forEach(
                (tp, before) -> {
                  PartitionTracker t = trackers.get(tp);
                  if (t != null && t.lastCommitted() == offsets.get(tp).offset()) {
                    t.lastCommitted(before);
                  }
                });
          }
        });
  }

  private void updateLag() {
    long sum = 0;
    for (PartitionTracker t : trackers.values()) {
      OptionalLong behind = consumer.currentLag(t.partition);
      if (behind.isPresent()) {
        sum += behind.getAsLong();
      }
      long c = t.committable();
      if (c >= 0) {
        sum += t.highestDispatched() + 1 - c;
      }
    }
    lag.set(sum);
  }

  /** Waits until no record of these partitions is being handled, up to the close timeout. */
  private void awaitIdle(Collection<PartitionTracker> which) {
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    synchronized (progress) {
      while (which.stream().anyMatch(t -> t.pending() > 0)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn(
              "Keel consumer group {}: records still being handled after {}; their offsets stay"
                  + " uncommitted",
              group,
              closeTimeout);
          return;
        }
        try {
          progress.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void shutdown() {
    try {
      trackers.values().forEach(t -> t.closed = true);
      awaitIdle(new ArrayList<>(trackers.values()));
      commit(trackers.values(), true);
    } catch (RuntimeException e) {
      log.warn("Keel consumer group {}: final commit failed", group, e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("Keel consumer group {}: close failed", group, e);
      }
      lag.set(0);
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        trackers.put(tp, new PartitionTracker(tp, progress));
      }
      log.debug("Keel consumer group {}: assigned {}", group, partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      List<PartitionTracker> revoked = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        PartitionTracker t = trackers.get(tp);
        if (t != null) {
          t.closed = true;
          revoked.add(t);
        }
      }
      awaitIdle(revoked);
      commit(revoked, true);
      partitions.forEach(trackers::remove);
      log.debug("Keel consumer group {}: revoked {}", group, partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionTracker t = trackers.remove(tp);
        if (t != null) {
          t.closed = true;
        }
      }
      log.info("Keel consumer group {}: lost {} without commit", group, partitions);
    }
  }
}
