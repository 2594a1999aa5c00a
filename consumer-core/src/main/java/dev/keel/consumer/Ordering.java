package dev.keel.consumer;

/** How records of one partition may be processed relative to each other. */
public enum Ordering {
  /**
   * One record of a partition at a time, in offset order (Kafka's own guarantee). Different
   * partitions run concurrently when the listener has more than one worker thread.
   */
  PARTITION,
  /**
   * Records of one key in offset order, records of different keys of the same partition
   * concurrently. Offsets are committed only below the lowest unfinished record, and the number of
   * unfinished records per partition is bounded ({@link ConsumerRuntime.Builder#maxInFlight}).
   * Unkeyed records share one lane per partition.
   */
  KEY
}
