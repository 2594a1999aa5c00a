package dev.keel.benchmarks;

import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Latency at a steady rate: appends in transactions of one event each, and measures from commit to
 * consumption (HdrHistogram) and from append to Kafka's acknowledgement (the relay's own {@code
 * keel.outbox.publish.latency} timer), with LISTEN/NOTIFY wake-ups and with polling only.
 */
final class LatencyBench {
  /**
   * Whether the relays claim behind cursors: the system property {@code
   * keel.bench.relay-cursor-claims}, for a comparison run.
   */
  static final boolean CURSOR_CLAIMS = Boolean.getBoolean("keel.bench.relay-cursor-claims");

  /** How long the business transactions' own COMMIT took: the floor under commit-to-ack. */
  private final Histogram commits = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

  private final KafkaBroker broker;
  private final IsolatedDatabase db;
  private final Report report;

  LatencyBench(KafkaBroker broker, IsolatedDatabase db, Report report) {
    this.broker = broker;
    this.db = db;
    this.report = report;
  }

  void run(boolean quick) throws Exception {
    int rate = quick ? 500 : 1000;
    Duration length = Duration.ofSeconds(quick ? 5 : 60);
    report.section(
        "Latency at "
            + rate
            + " events/s for "
            + length.toSeconds()
            + " s (1 event per transaction)");
    measure("LISTEN/NOTIFY wake-ups (poll 500 ms)", true, rate, length);
    measure("polling only (poll 500 ms)", false, rate, length);
  }

  private void measure(String name, boolean notify, int rate, Duration length) throws Exception {
    String topic = "latency-" + (notify ? "notify" : "poll");
    broker.createTopic(topic, 12);
    Outbox outbox = Outbox.builder().build();
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    Histogram e2e = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    commits.reset();
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader = new Thread(() -> read(topic, committedAt, e2e, reading));
    reader.start();
    // Warm-up with a relay of its own, not recorded; the measured relay starts in a warm JVM.
    try (OutboxRelay warm = relay(notify, null)) {
      warm.start();
      appendFor(outbox, topic, rate, Duration.ofSeconds(3), committedAt);
      drainWait(committedAt, Duration.ofSeconds(15));
    }
    synchronized (e2e) {
      e2e.reset();
    }
    synchronized (commits) {
      commits.reset();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (OutboxRelay relay = relay(notify, meters)) {
      relay.start();
      appendFor(outbox, topic, rate, length, committedAt);
      drainWait(committedAt, Duration.ofSeconds(30));
      reading.set(false);
      reader.join();
      var snapshot = meters.get(KeelMeters.OUTBOX_PUBLISH_LATENCY).timer().takeSnapshot();
      Report.Line line;
      synchronized (e2e) {
        line =
            report.line(
                name, e2e.getTotalCount() / (double) length.toSeconds(), Double.NaN, Double.NaN);
        line.note(
            String.format(
                "commit->consumed p50 %.1f ms, p99 %.1f ms, p999 %.1f ms",
                e2e.getValueAtPercentile(50) / 1e3,
                e2e.getValueAtPercentile(99) / 1e3,
                e2e.getValueAtPercentile(99.9) / 1e3));
      }
      synchronized (commits) {
        line.note(
            String.format(
                "baseline: the appenders' own COMMIT p50 %.1f ms, p99 %.1f ms, p999 %.1f ms",
                commits.getValueAtPercentile(50) / 1e3,
                commits.getValueAtPercentile(99) / 1e3,
                commits.getValueAtPercentile(99.9) / 1e3));
      }
      StringBuilder ack = new StringBuilder("append->ack");
      for (ValueAtPercentile v : snapshot.percentileValues()) {
        ack.append(
            String.format(
                " p%s %.1f ms", trim(v.percentile() * 100), v.value(TimeUnit.MILLISECONDS)));
      }
      line.note(ack.toString());
      if (!committedAt.isEmpty()) {
        line.note(committedAt.size() + " events not consumed within 30 s");
      }
    }
  }

  private OutboxRelay relay(boolean notify, SimpleMeterRegistry meters) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.putAll(Workload.PRODUCER);
    OutboxRelay.Builder b =
        OutboxRelay.builder()
            .dataSource(db.dataSource())
            .producerProperties(props)
            .createSchema(false)
            .listenNotify(notify)
            .cursorClaims(CURSOR_CLAIMS);
    if (meters != null) {
      b.meterRegistry(meters);
    }
    return b.build();
  }

  private static void drainWait(Map<UUID, Long> committedAt, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!committedAt.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private void appendFor(
      Outbox outbox, String topic, int rate, Duration length, Map<UUID, Long> committedAt)
      throws InterruptedException {
    int appenders = 4;
    Thread[] threads = new Thread[appenders];
    long end = System.nanoTime() + length.toNanos();
    long interval = TimeUnit.SECONDS.toNanos(1) * appenders / rate;
    for (int t = 0; t < appenders; t++) {
      int me = t;
      threads[t] = new Thread(() -> append(outbox, topic, me, end, interval, committedAt));
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  private static String trim(double p) {
    return p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p).replace(".", "");
  }

  private void append(
      Outbox outbox, String topic, int me, long end, long interval, Map<UUID, Long> committedAt) {
    long next = System.nanoTime();
    int i = me;
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      while (System.nanoTime() < end) {
        Event e = Workload.event(topic, i);
        i += 4;
        outbox.append(c, e);
        // Entered before the commit so that a fast consumer always finds it; the time then moves
        // to the end of the commit unless the event was consumed already.
        long before = System.nanoTime();
        committedAt.put(e.id(), before);
        c.commit();
        long done = System.nanoTime();
        synchronized (commits) {
          commits.recordValue(Math.max(0, (done - before) / 1000));
        }
        committedAt.computeIfPresent(e.id(), (k, v) -> done);
        next += interval;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void read(
      String topic, Map<UUID, Long> committedAt, Histogram e2e, AtomicBoolean reading) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          Long at = committedAt.remove(KafkaRecords.toEvent(r).id());
          if (at != null) {
            synchronized (e2e) {
              e2e.recordValue(Math.max(0, (now - at) / 1000));
            }
          }
        }
      }
    }
  }
}
