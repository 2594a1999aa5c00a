package dev.keel.consumer.internal;

import dev.keel.consumer.Ordering;
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
 * The poll thread of one group and its topics, the only Kafka poll loop of Keel's consumers: owns
 * the Kafka consumer, hands records to its {@link Handling} (the lanes of the consumer runtime, or
 * the due-time gate of the delay tiers), pauses partitions at the in-flight bound, commits offsets
 * below the lowest unfinished record, and on revoke or close waits for records being handled before
 * its last commit.
 */
final class PollLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final String group;
  private final List<String> topics;
  private final Handling handling;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final int maxInFlight;
  private final Duration pollTimeout;
  private final long commitIntervalNanos;
  private final Duration closeTimeout;
  private final AtomicLong lag;
  private final Consumer<Throwable> fatal;
  private final Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
  private final Object progress = new Object();
  private final AtomicLong polls = new AtomicLong();
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
            List.of(plan.topic()),
            config.maxInFlight(),
            config.pollTimeout(),
            config.commitInterval(),
            config.closeTimeout()),
        consumer,
        new Lanes(lanes, plan.ordering()),
        lag,
        fatal);
  }

  /**
   * What a loop needs of its subscription and configuration: the seam unit tests build loops from
   * (with a {@code MockConsumer}), without listeners or a database.
   */
  record Settings(
      String group,
      List<String> topics,
      int maxInFlight,
      Duration pollTimeout,
      Duration commitInterval,
      Duration closeTimeout) {}

  PollLoop(
      Settings settings,
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Handling handling,
      AtomicLong lag,
      Consumer<Throwable> fatal) {
    this.group = settings.group();
    this.topics = List.copyOf(settings.topics());
    this.consumer = consumer;
    this.handling = handling;
    this.maxInFlight = settings.maxInFlight();
    this.pollTimeout = settings.pollTimeout();
    this.commitIntervalNanos = settings.commitInterval().toNanos();
    this.closeTimeout = settings.closeTimeout();
    this.lag = lag;
    this.fatal = fatal;
  }

  /** What the loop does with the records it polls. Every method runs on the poll thread. */
  interface Handling {
    /** Before each poll: resume what is due. */
    default void beforePoll() {}

    /**
     * The records of one assigned partition from a poll, in offset order. A record is handed on
     * with {@link PartitionTracker#dispatched} and completed with {@link PartitionTracker#finished}
     * (or left unfinished); offsets are committed up to the lowest unfinished one.
     */
    void handle(
        TopicPartition partition,
        List<ConsumerRecord<byte[], byte[]>> records,
        PartitionTracker tracker);

    /** Partitions revoked or lost: forget their state. */
    default void revoked(Collection<TopicPartition> partitions) {}
  }

  /** The consumer runtime's handling: each record to its lane (a partition, or a key of one). */
  record Lanes(LaneExecutor lanes, Ordering ordering) implements Handling {
    @Override
    public void handle(
        TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, PartitionTracker t) {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (!t.dispatched(r.offset())) {
          continue;
        }
        LaneId lane =
            ordering == Ordering.KEY ? LaneId.ByKey.of(tp, r.key()) : new LaneId.ByPartition(tp);
        lanes.submit(lane, new Work(r, t));
      }
    }
  }

  /** Asks the loop to stop; it finishes in-flight records, commits and closes the consumer. */
  void stop() {
    stopping = true;
  }

  /** Polls done so far. */
  long polls() {
    return polls.get();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(topics, new Rebalance());
      while (!stopping) {
        handling.beforePoll();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        polls.incrementAndGet();
        for (TopicPartition tp : records.partitions()) {
          PartitionTracker t = trackers.get(tp);
          if (t != null) {
            handling.handle(tp, records.records(tp), t);
          }
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
      // the message only: a cause's message (a database's, say) may quote the record
      log.error("Keel consumer group {} on {}: poll loop stopped: {}", group, topics, e.toString());
      log.debug("Keel consumer group {}: poll loop failure", group, e);
      fatal.accept(e);
    } finally {
      shutdown();
    }
  }

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
      handling.revoked(partitions);
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
      handling.revoked(partitions);
      log.info("Keel consumer group {}: lost {} without commit", group, partitions);
    }
  }
}
