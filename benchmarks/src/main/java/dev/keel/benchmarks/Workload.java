package dev.keel.benchmarks;

import dev.keel.event.Event;
import java.util.Arrays;
import java.util.Map;

/**
 * The benchmarks' events and settings: 256-byte payloads over 10,000 keys, the producer settings
 * every contender uses, and the PostgreSQL settings (fsync and synchronous commit on).
 */
public final class Workload {
  /** Payload bytes per event. */
  public static final int PAYLOAD_BYTES = 256;

  /** Distinct keys; event {@code i} has key {@code key-(i % KEYS)}. */
  public static final int KEYS = 10_000;

  /** Producer settings of every contender (the relay adds its own defaults for the rest). */
  public static final Map<String, Object> PRODUCER =
      Map.of("acks", "all", "enable.idempotence", true, "linger.ms", 5, "batch.size", 256 * 1024);

  /** Settings of the embedded PostgreSQL (its defaults turn fsync and synchronous commit off). */
  public static final Map<String, String> POSTGRES =
      Map.of(
          "fsync", "on",
          "synchronous_commit", "on",
          "shared_buffers", "256MB",
          "max_wal_size", "2GB");

  static final byte[] PAYLOAD = filled();

  private Workload() {}

  /** A copy of the payload every event carries. */
  public static byte[] payload() {
    return PAYLOAD.clone();
  }

  private static byte[] filled() {
    byte[] p = new byte[PAYLOAD_BYTES];
    Arrays.fill(p, (byte) 'x');
    p[0] = '{';
    p[PAYLOAD_BYTES - 1] = '}';
    return p;
  }

  /**
   * The {@code i}-th event of a backlog.
   *
   * @param topic its topic
   * @param i its number; the key is {@code key-(i % KEYS)}
   */
  public static Event event(String topic, int i) {
    return Event.builder()
        .type("bench.happened")
        .topic(topic)
        .key("key-" + (i % KEYS))
        .source("bench")
        .payload(PAYLOAD)
        .build();
  }
}
