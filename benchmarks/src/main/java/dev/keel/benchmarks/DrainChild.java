package dev.keel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.OutboxRelayListener;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One drain measurement in a JVM of its own (started with {@code -Xmx256m}): warm up, load the
 * backlog, drain it, print {@code RESULT <nanos> <cpuNanos> <firstDecileRate> <lastDecileRate>}.
 *
 * <p>Modes: {@code raw} (the idempotent producer alone: the ceiling), {@code skiplocked} (a minimal
 * hand-written relay: claim 500 with SKIP LOCKED, send all, flush, delete), {@code keel}, and
 * {@code heap} (a backlog of 1 MiB payloads drained by the Keel relay with its default settings,
 * also printing {@code HEAP <peakUsedBytes> <peakLiveBytes>}).
 */
public final class DrainChild {
  static final Map<String, Object> PRODUCER =
      Map.of("acks", "all", "enable.idempotence", true, "linger.ms", 5, "batch.size", 256 * 1024);

  private DrainChild() {}

  /**
   * @param args mode jdbcUrl bootstrap topic rows lanes instances warmupRows
   */
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String url = args[1];
    String bootstrap = args[2];
    String topic = args[3];
    int rows = Integer.parseInt(args[4]);
    int lanes = Integer.parseInt(args[5]);
    int instances = Integer.parseInt(args[6]);
    int warmup = Integer.parseInt(args[7]);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setMaximumPoolSize(16);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      Outbox outbox = Outbox.builder().lanes(lanes).build();
      Result r;
      switch (mode) {
        case "raw":
          raw(bootstrap, topic, warmup);
          r = raw(bootstrap, topic, rows);
          break;
        case "heap":
          r = heap(ds, bootstrap, topic, rows, lanes);
          break;
        case "skiplocked":
          Workload.load(ds, outbox, topic, warmup);
          skipLocked(ds, bootstrap, warmup);
          Workload.load(ds, outbox, topic, rows);
          r = skipLocked(ds, bootstrap, rows);
          break;
        default:
          Workload.load(ds, outbox, topic, warmup);
          keel(ds, bootstrap, lanes, instances, warmup);
          Workload.load(ds, outbox, topic, rows);
          r = keel(ds, bootstrap, lanes, instances, rows);
          break;
      }
      System.out.printf(
          "RESULT %d %d %.0f %.0f%n", r.nanos, r.cpuNanos, r.firstDecileRate, r.lastDecileRate);
    }
    System.exit(0);
  }

  private record Result(long nanos, long cpuNanos, double firstDecileRate, double lastDecileRate) {}

  /** Records when each tenth of the rows was done, to show whether the rate stays flat. */
  private static final class Deciles {
    final long start = System.nanoTime();
    final long[] at = new long[11];
    final int total;
    int next = 1;

    Deciles(int total) {
      this.total = total;
      at[0] = start;
    }

    synchronized void progress(long done) {
      while (next <= 10 && done >= (long) total * next / 10) {
        at[next++] = System.nanoTime();
      }
    }

    Result result(long cpuStart) {
      double tenth = total / 10.0;
      return new Result(
          at[10] - start,
          cpu() - cpuStart,
          tenth / ((at[1] - at[0]) / 1e9),
          tenth / ((at[10] - at[9]) / 1e9));
    }
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Producer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>(PRODUCER);
    p.put("bootstrap.servers", bootstrap);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The ceiling: the same records through one idempotent producer, sent without waiting. */
  private static Result raw(String bootstrap, String topic, int rows) throws Exception {
    try (Producer<byte[], byte[]> producer = producer(bootstrap)) {
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        records.add(KafkaRecords.toProducerRecord(Workload.event(topic, i)));
      }
      long cpu = cpu();
      Deciles d = new Deciles(rows);
      AtomicLong acked = new AtomicLong();
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(
            r,
            (m, e) -> {
              if (e == null) {
                d.progress(acked.incrementAndGet());
              }
            });
      }
      producer.flush();
      if (acked.get() != rows) {
        throw new IllegalStateException(
            "raw producer: " + acked.get() + " of " + rows + " acknowledged");
      }
      return d.result(cpu);
    }
  }

  /** The minimal relay a team would write by hand, for the library-overhead ratio. */
  private static Result skipLocked(HikariDataSource ds, String bootstrap, int rows)
      throws Exception {
    try (Producer<byte[], byte[]> producer = producer(bootstrap);
        Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      long cpu = cpu();
      Deciles d = new Deciles(rows);
      long done = 0;
      while (true) {
        List<Long> ids = new ArrayList<>(500);
        List<Future<RecordMetadata>> futures = new ArrayList<>(500);
        try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT id, event_id, topic, event_key, event_type,"
                        + " contract_version, headers::text, payload FROM keel_outbox ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            RecordHeaders h = new RecordHeaders();
            h.add(new RecordHeader("keel-event-id", rs.getString(2).getBytes()));
            h.add(new RecordHeader("keel-event-type", rs.getString(5).getBytes()));
            h.add(
                new RecordHeader(
                    "keel-contract-version", Integer.toString(rs.getInt(6)).getBytes()));
            h.add(new RecordHeader("keel-headers", rs.getString(7).getBytes()));
            futures.add(
                producer.send(
                    new ProducerRecord<>(
                        rs.getString(3), null, rs.getString(4).getBytes(), rs.getBytes(8), h)));
          }
        }
        if (ids.isEmpty()) {
          c.commit();
          break;
        }
        producer.flush();
        for (Future<RecordMetadata> f : futures) {
          f.get();
        }
        try (PreparedStatement del =
            c.prepareStatement("DELETE FROM keel_outbox WHERE id = ANY(?)")) {
          del.setArray(1, c.createArrayOf("bigint", ids.toArray()));
          del.executeUpdate();
        }
        c.commit();
        done += ids.size();
        d.progress(done);
      }
      return d.result(cpu);
    }
  }

  /**
   * Drains {@code rows} 1 MiB payloads with the relay's defaults while a sampler records the peak
   * heap in use (every 2 ms, garbage included) and the largest heap left after a full collection
   * that it forces every 250 ms (what the relay really holds; the forced collections slow the drain
   * a little).
   */
  private static Result heap(
      HikariDataSource ds, String bootstrap, String topic, int rows, int lanes) throws Exception {
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
    Map<String, Object> props = new HashMap<>(PRODUCER);
    props.put("bootstrap.servers", bootstrap);
    props.put("max.request.size", 2 * HEAP_PAYLOAD_BYTES);
    Result r = keelRelays(ds, props, lanes, 1, rows);
    sampling.set(false);
    sampler.join();
    System.out.printf("HEAP %d %d%n", peakUsed.get(), peakLive.get());
    return r;
  }

  static final int HEAP_PAYLOAD_BYTES = 1 << 20;

  private static Result keel(
      HikariDataSource ds, String bootstrap, int lanes, int instances, int rows) throws Exception {
    Map<String, Object> props = new HashMap<>(PRODUCER);
    props.put("bootstrap.servers", bootstrap);
    return keelRelays(ds, props, lanes, instances, rows);
  }

  private static Result keelRelays(
      HikariDataSource ds, Map<String, Object> props, int lanes, int instances, int rows)
      throws Exception {
    AtomicLong published = new AtomicLong();
    Deciles d = new Deciles(rows);
    OutboxRelayListener listener =
        new OutboxRelayListener() {
          @Override
          public void onPublished(int lane, int count) {
            d.progress(published.addAndGet(count));
          }
        };
    long cpu = cpu();
    List<OutboxRelay> relays = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      OutboxRelay relay =
          OutboxRelay.builder()
              .dataSource(ds)
              .producerProperties(props)
              .lanes(lanes)
              .batchSize(500)
              .createSchema(false)
              .listener(listener)
              .instanceId("bench-" + i)
              .build();
      relay.start();
      relays.add(relay);
    }
    while (published.get() < rows) {
      Thread.sleep(5);
    }
    Result r = d.result(cpu);
    for (OutboxRelay relay : relays) {
      relay.close();
    }
    if (Workload.count(ds) != 0) {
      throw new SQLException("rows left in the outbox after the drain");
    }
    return r;
  }
}
