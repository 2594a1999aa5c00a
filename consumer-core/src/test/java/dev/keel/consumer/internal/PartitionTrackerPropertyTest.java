package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;

/**
 * Invariant: the offset a partition commits is never above an unfinished record, and reaches one
 * past the last record once all are finished, whatever order workers finish them in.
 */
class PartitionTrackerPropertyTest {

  @Property(tries = 300, seed = "20261127")
  void committedOffsetNeverPassesAnUnfinishedRecord(
      @ForAll @IntRange(min = 0, max = 1000) int start,
      @ForAll @IntRange(min = 1, max = 200) int count,
      @ForAll long shuffleSeed) {
    PartitionTracker t = new PartitionTracker(new TopicPartition("t", 0), new Object());
    assertThat(t.committable()).isEqualTo(-1); // nothing dispatched: nothing to commit
    List<Long> offsets = new ArrayList<>();
    for (long o = start; o < start + count; o++) {
      assertThat(t.dispatched(o)).isTrue();
      offsets.add(o);
    }
    assertThat(t.dispatched(start)).isFalse(); // a redelivered offset is not dispatched twice
    Collections.shuffle(offsets, new Random(shuffleSeed));
    TreeSet<Long> unfinished = new TreeSet<>(offsets);
    long lastCommittable = t.committable();
    for (long o : offsets) {
      t.finished(o);
      unfinished.remove(o);
      long c = t.committable();
      assertThat(c).isGreaterThanOrEqualTo(lastCommittable); // never moves back
      if (unfinished.isEmpty()) {
        assertThat(c).isEqualTo(start + count);
      } else {
        assertThat(c).isEqualTo(unfinished.first());
      }
      lastCommittable = c;
    }
    assertThat(t.pending()).isZero();
    assertThat(t.unfinished()).isZero();
  }

  @Property(tries = 100, seed = "20261127")
  void skippedRecordsHoldTheOffsetAndCloseThePartition(
      @ForAll @IntRange(min = 2, max = 100) int count,
      @ForAll @IntRange(min = 0, max = 99) int skip) {
    int skipped = skip % count;
    PartitionTracker t = new PartitionTracker(new TopicPartition("t", 0), new Object());
    List<Work> works = new ArrayList<>();
    for (int o = 0; o < count; o++) {
      t.dispatched(o);
      works.add(
          new Work(
              new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", 0, o, null, null), t));
    }
    for (int o = 0; o < count; o++) {
      if (o == skipped) {
        works.get(o).skip();
        works.get(o).finish(); // released once: a late finish changes nothing
      } else {
        works.get(o).finish();
      }
    }
    assertThat(t.closed).isTrue();
    assertThat(t.committable()).isEqualTo(skipped);
    assertThat(t.pending()).isZero();
  }
}
