package dev.keel.consumer.internal;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records share a lane of {@link LaneExecutor}, that is, run one batch at a time in arrival
 * order: all the records of a partition ({@link ByPartition}), or those of a partition with the
 * same key ({@link ByKey}). Records of different lanes run concurrently.
 */
sealed interface LaneId permits LaneId.ByPartition, LaneId.ByKey {

  /** The lane of every record of a partition ({@code Ordering.PARTITION}). */
  record ByPartition(TopicPartition partition) implements LaneId {}

  /**
   * The lane of the records of a partition with one key ({@code Ordering.KEY}).
   *
   * @param partition the partition
   * @param key the key's bytes, one char per byte (ISO-8859-1, lossless), or null: records without
   *     a key share one lane per partition
   */
  record ByKey(TopicPartition partition, String key) implements LaneId {

    /** The lane of a record's raw key on a partition. */
    static ByKey of(TopicPartition partition, byte[] key) {
      return new ByKey(
          partition, key == null ? null : new String(key, StandardCharsets.ISO_8859_1));
    }
  }
}
