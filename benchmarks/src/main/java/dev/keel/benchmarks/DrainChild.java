package dev.keel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.OutboxRelayListener;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drain measurements, in a JVM of their own started with a fixed 256 MiB heap, {@code -Xms256m
 * -Xmx256m} (so that the relays' heap stays bounded and is measured). Modes:
 *
 * <ul>
 *   <li>{@code drain url bootstrap topicPrefix rows warmupRounds rounds}: every contender drains a
 *       backlog per round ({@link DrainRounds});
 *   <li>{@code heap url bootstrap topic rows lanes}: a backlog of 1 MiB payloads drained by one
 *       Keel relay with its default settings, printing {@code RESULT <nanos> <cpuNanos>} and {@code
 *       HEAP <peakUsedBytes> <peakLiveBytes>}.
 * </ul>
 */
public final class DrainChild {
  static final int HEAP_PAYLOAD_BYTES = 1 << 20;

  private DrainChild() {}

  /**
   * @param args the mode and its arguments, see the class comment
   */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "drain" ->
          DrainRounds.run(
              args[1],
              args[2],
              args[3],
              Integer.parseInt(args[4]),
              Integer.parseInt(args[5]),
              Integer.parseInt(args[6]),
              args.length > 7 ? args[7] : "");
      case "heap" -> {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(args[1]);
        hc.setMaximumPoolSize(16);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
          heap(ds, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.exit(0);
  }

  /**
   * Drains {@code rows} 1 MiB payloads with the relay's defaults while a sampler records the peak
   * heap in use (every 2 ms, garbage included) and the largest heap left after a full collection
   * that it forces every 250 ms (what the relay really holds; the forced collections slow the drain
   * a little).
   */
  private static void heap(HikariDataSource ds, String bootstrap, String topic, int rows, int lanes)
      throws Exception {
    Backlog.reset(ds, "keel_outbox", "keel_outbox_lease", "keel_outbox_member");
    Outbox outbox = Outbox.builder().lanes(lanes).build();
    byte[] payload = new byte[HEAP_PAYLOAD_BYTES];
    java.util.Arrays.fill(payload, (byte) 'x');
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < rows; i++) {
        outbox.append(
            c,
            dev.keel.event.Event.builder()
                .type("bench.happened")
                .topic(topic)
                .key("key-" + i)
                .source("bench")
                .payload(payload)
                .build());
        if (i % 10 == 9) {
          c.commit();
        }
      }
      c.commit();
    }
    payload = null;
    System.gc();
    java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peakUsed = new AtomicLong();
    AtomicLong peakLive = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean sampling =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              long nextGc = System.nanoTime();
              while (sampling.get()) {
                peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                if (System.nanoTime() - nextGc >= 0) {
                  System.gc(); // what survives a full collection is what the relay holds
                  peakLive.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                  nextGc = System.nanoTime() + 250_000_000L;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    Map<String, Object> props = new HashMap<>(Workload.PRODUCER);
    props.put("bootstrap.servers", bootstrap);
    props.put("max.request.size", 2 * HEAP_PAYLOAD_BYTES);
    Progress progress = new Progress(rows);
    long cpu = DrainRounds.cpu();
    OutboxRelay relay =
        OutboxRelay.builder()
            .dataSource(ds)
            .producerProperties(props)
            .lanes(lanes)
            .createSchema(false)
            .listener(
                new OutboxRelayListener() {
                  @Override
                  public void onPublished(int lane, int count) {
                    progress.add(count);
                  }
                })
            .instanceId("bench-heap")
            .build();
    relay.start();
    try {
      progress.await(600_000);
    } finally {
      relay.close();
    }
    long cpuNanos = DrainRounds.cpu() - cpu;
    sampling.set(false);
    sampler.join();
    if (Backlog.count(ds, "keel_outbox") != 0) {
      throw new IllegalStateException("rows left in the outbox after the drain");
    }
    System.out.printf("RESULT %d %d%n", progress.result().nanos(), cpuNanos);
    System.out.printf("HEAP %d %d%n", peakUsed.get(), peakLive.get());
  }
}
