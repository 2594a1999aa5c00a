package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Lanes: in order within a lane, concurrent across lanes, batches bounded. */
class LaneExecutorTest {

  @Test
  void keepsOrderPerLaneAndRunsLanesConcurrently() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    PartitionTracker tracker = new PartitionTracker(new TopicPartition("t", 0), new Object());
    Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> active = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger maxBatch = new AtomicInteger();
    LaneExecutor lanes =
        new LaneExecutor(
            pool,
            4,
            batch -> {
              maxBatch.accumulateAndGet(batch.size(), Math::max);
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              for (Work w : batch) {
                int lane = (int) (w.record.offset() % 50);
                // never two batches of one lane at once
                assertThat(active.computeIfAbsent(lane, l -> new AtomicInteger()).incrementAndGet())
                    .isEqualTo(1);
                seen.computeIfAbsent(lane, l -> new CopyOnWriteArrayList<>())
                    .add(w.record.offset());
                active.get(lane).decrementAndGet();
                w.finish();
              }
              running.decrementAndGet();
            });
    int records = 5000;
    for (long o = 0; o < records; o++) {
      tracker.dispatched(o);
      lanes.submit(
          new LaneId.ByKey(tracker.partition, String.valueOf(o % 50)),
          new Work(new ConsumerRecord<>("t", 0, o, null, null), tracker));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> tracker.pending() == 0);
    pool.shutdown();
    assertThat(tracker.committable()).isEqualTo(records);
    assertThat(seen).hasSize(50);
    seen.values().forEach(offsets -> assertThat(offsets).isSorted());
    assertThat(maxBatch.get()).isBetween(1, 4);
    assertThat(maxRunning.get()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aKeyLaneIsItsPartitionAndKeyBytes() {
    TopicPartition p0 = new TopicPartition("t", 0);
    byte[] key = {(byte) 0xC3, (byte) 0xA9, 0}; // not valid alone as text: compared as bytes
    assertThat(LaneId.ByKey.of(p0, key)).isEqualTo(LaneId.ByKey.of(p0, key.clone()));
    assertThat(LaneId.ByKey.of(p0, key))
        .isNotEqualTo(LaneId.ByKey.of(p0, new byte[] {(byte) 0xC3}));
    assertThat(LaneId.ByKey.of(p0, key))
        .isNotEqualTo(LaneId.ByKey.of(new TopicPartition("t", 1), key));
    assertThat(LaneId.ByKey.of(p0, null)).isEqualTo(new LaneId.ByKey(p0, null));
    assertThat((LaneId) new LaneId.ByPartition(p0)).isNotEqualTo(LaneId.ByKey.of(p0, null));
  }
}
