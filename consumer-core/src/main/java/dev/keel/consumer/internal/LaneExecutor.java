package dev.keel.consumer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs records lane by lane on a worker pool: records of one lane (a {@link LaneId}: a partition,
 * or a key of a partition) one batch at a time in arrival order, different lanes concurrently. A
 * lane gives its worker back after each batch so that busy lanes cannot starve the others.
 * Thread-safe.
 */
final class LaneExecutor {
  private static final Logger log = LoggerFactory.getLogger(LaneExecutor.class);

  private final ExecutorService pool;
  private final int maxBatch;
  private final Consumer<List<Work>> processor;
  private final Map<LaneId, Lane> lanes = new HashMap<>(); // guarded by this

  LaneExecutor(ExecutorService pool, int maxBatch, Consumer<List<Work>> processor) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.processor = processor;
  }

  private static final class Lane {
    final LaneId key;
    final ArrayDeque<Work> queue = new ArrayDeque<>();
    boolean scheduled;

    Lane(LaneId key) {
      this.key = key;
    }
  }

  /** Queues a record on its lane. */
  void submit(LaneId laneKey, Work work) {
    synchronized (this) {
      Lane lane = lanes.computeIfAbsent(laneKey, Lane::new);
      lane.queue.add(work);
      if (!lane.scheduled) {
        lane.scheduled = true;
        schedule(lane);
      }
    }
  }

  private void schedule(Lane lane) {
    try {
      pool.execute(() -> run(lane));
    } catch (RejectedExecutionException e) {
      // Shutting down: leave the records unfinished for the partition's next owner.
      lane.queue.forEach(Work::skip);
      lane.queue.clear();
      lane.scheduled = false;
      lanes.remove(lane.key);
    }
  }

  private void run(Lane lane) {
    List<Work> batch = new ArrayList<>(Math.min(maxBatch, 16));
    synchronized (this) {
      while (batch.size() < maxBatch && !lane.queue.isEmpty()) {
        batch.add(lane.queue.poll());
      }
    }
    try {
      processor.accept(batch);
    } catch (RuntimeException | Error e) {
      log.error("Keel consumer: unexpected failure in a worker; records stay unfinished", e);
      batch.forEach(Work::skip);
    } finally {
      synchronized (this) {
        if (lane.queue.isEmpty()) {
          lane.scheduled = false;
          lanes.remove(lane.key);
        } else {
          schedule(lane);
        }
      }
    }
  }
}
