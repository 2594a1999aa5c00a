package dev.keel.benchmarks;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Latency at a steady rate: appends in transactions of one event each and measures from commit to
 * consumption (HdrHistogram), for four relays: deleting and cursor claims, each with LISTEN/NOTIFY
 * wake-ups and with polling only. The relays take turns in rounds (the order rotated by one each
 * round) after a warm-up turn each; each turn starts a new relay in the warm JVM, appends for a
 * fixed time and waits until what it appended was consumed. The CPU of this JVM and of PostgreSQL
 * during the recorded turns is reported per 1,000 events: the appends cost the same under every
 * relay, so the differences are the relays' own.
 */
final class LatencyBench {
  /** How long the business transactions' own COMMIT took: the floor under commit-to-consumed. */
  private final Histogram commits = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

  private final KafkaBroker broker;
  private final IsolatedDatabase db;
  private final Report report;

  LatencyBench(KafkaBroker broker, IsolatedDatabase db, Report report) {
    this.broker = broker;
    this.db = db;
    this.report = report;
  }

  /** One relay measured: its settings, its topic, and what its turns recorded. */
  private static final class Variant {
    final String name;
    final boolean notify;
    final boolean cursorClaims;
    final String topic;
    final Histogram e2e = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    final Histogram commits = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    volatile boolean recording;
    long unconsumed;
    long events;
    double jvmSeconds;
    double postgresSeconds;

    Variant(String name, boolean notify, boolean cursorClaims) {
      this.name = name;
      this.notify = notify;
      this.cursorClaims = cursorClaims;
      this.topic = "latency-" + (cursorClaims ? "cursor-" : "") + (notify ? "notify" : "poll");
    }
  }

  void run(boolean quick) throws Exception {
    int rate = quick ? 500 : 1000;
    Duration turn = Duration.ofSeconds(quick ? 5 : 20);
    int rounds = quick ? 1 : 3;
    List<Variant> variants =
        List.of(
            new Variant("LISTEN/NOTIFY wake-ups (poll 500 ms)", true, false),
            new Variant("cursor claims, LISTEN/NOTIFY wake-ups", true, true),
            new Variant("polling only (poll 500 ms)", false, false),
            new Variant("cursor claims, polling only", false, true));
    report.section(
        "Latency at "
            + rate
            + " events/s (1 event per transaction): "
            + rounds
            + (rounds == 1 ? " turn of " : " turns of ")
            + turn.toSeconds()
            + " s per relay, the relays taking turns; CPU s/1k: this JVM (broker, appenders, reader"
            + " and relay, its start and close included)");
    Map<String, Variant> byTopic = new HashMap<>();
    for (Variant v : variants) {
      broker.createTopic(v.topic, 12);
      byTopic.put(v.topic, v);
    }
    Outbox outbox = Outbox.builder().build();
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader = new Thread(() -> read(byTopic, committedAt, reading), "latency-reader");
    reader.start();
    try {
      for (Variant v : variants) {
        turn(v, outbox, rate, Duration.ofSeconds(3), committedAt); // warm-up, not recorded
      }
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < variants.size(); k++) {
          Variant v = variants.get((r + k) % variants.size());
          v.recording = true;
          turn(v, outbox, rate, turn, committedAt);
          v.recording = false;
        }
      }
    } finally {
      reading.set(false);
      reader.join();
    }
    for (Variant v : variants) {
      Report.Line line;
      synchronized (v.e2e) {
        line =
            report.line(
                v.name,
                v.e2e.getTotalCount() / (double) (rounds * turn.toSeconds()),
                Double.NaN,
                v.jvmSeconds / (v.events / 1000.0));
        line.note(
            String.format(
                "commit->consumed p50 %.1f ms, p99 %.1f ms, p999 %.1f ms",
                v.e2e.getValueAtPercentile(50) / 1e3,
                v.e2e.getValueAtPercentile(99) / 1e3,
                v.e2e.getValueAtPercentile(99.9) / 1e3));
      }
      synchronized (v.commits) {
        line.note(
            String.format(
                "baseline: the appenders' own COMMIT p50 %.1f ms, p99 %.1f ms, p999 %.1f ms",
                v.commits.getValueAtPercentile(50) / 1e3,
                v.commits.getValueAtPercentile(99) / 1e3,
                v.commits.getValueAtPercentile(99.9) / 1e3));
      }
      line.note(
          String.format(
              "PostgreSQL %.4f s CPU per 1,000 events (the appends' own work included)",
              v.postgresSeconds / (v.events / 1000.0)));
      if (v.unconsumed > 0) {
        line.note(v.unconsumed + " events not consumed within 30 s of their turn's end");
      }
    }
  }

  /** One turn of a relay: a new relay appended to for {@code length}, then drained and closed. */
  private void turn(
      Variant v, Outbox outbox, int rate, Duration length, Map<UUID, Long> committedAt)
      throws Exception {
    synchronized (commits) {
      commits.reset();
    }
    long[] ticksBefore = DrainRounds.processTicks();
    long cpuBefore = DrainRounds.cpu();
    int appended;
    try (OutboxRelay relay = relay(v)) {
      relay.start();
      appended = appendFor(outbox, v.topic, rate, length, committedAt);
      drainWait(committedAt, Duration.ofSeconds(30));
    }
    if (v.recording) {
      v.events += appended;
      v.jvmSeconds += (DrainRounds.cpu() - cpuBefore) / 1e9;
      v.postgresSeconds += DrainRounds.tickSeconds(ticksBefore, DrainRounds.processTicks())[0];
      synchronized (commits) {
        synchronized (v.commits) {
          v.commits.add(commits);
        }
      }
      v.unconsumed += committedAt.size();
    }
    committedAt.clear(); // late ones are not counted in the next turn
  }

  private OutboxRelay relay(Variant v) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.putAll(Workload.PRODUCER);
    return OutboxRelay.builder()
        .dataSource(db.dataSource())
        .producerProperties(props)
        .createSchema(false)
        .listenNotify(v.notify)
        .cursorClaims(v.cursorClaims)
        .build();
  }

  private static void drainWait(Map<UUID, Long> committedAt, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!committedAt.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Appends at {@code rate} for {@code length}; returns how many events were committed. */
  private int appendFor(
      Outbox outbox, String topic, int rate, Duration length, Map<UUID, Long> committedAt)
      throws InterruptedException {
    AtomicInteger committed = new AtomicInteger();
    int appenders = 4;
    Thread[] threads = new Thread[appenders];
    long end = System.nanoTime() + length.toNanos();
    long interval = TimeUnit.SECONDS.toNanos(1) * appenders / rate;
    for (int t = 0; t < appenders; t++) {
      int me = t;
      threads[t] =
          new Thread(() -> append(outbox, topic, me, end, interval, committedAt, committed));
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return committed.get();
  }

  private void append(
      Outbox outbox,
      String topic,
      int me,
      long end,
      long interval,
      Map<UUID, Long> committedAt,
      AtomicInteger committed) {
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
        committed.incrementAndGet();
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
      Map<String, Variant> byTopic, Map<UUID, Long> committedAt, AtomicBoolean reading) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.copyOf(byTopic.keySet()));
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          Long at = committedAt.remove(KafkaRecords.toEvent(r).id());
          Variant v = byTopic.get(r.topic());
          if (at != null && v.recording) {
            synchronized (v.e2e) {
              v.e2e.recordValue(Math.max(0, (now - at) / 1000));
            }
          }
        }
      }
    }
  }
}
