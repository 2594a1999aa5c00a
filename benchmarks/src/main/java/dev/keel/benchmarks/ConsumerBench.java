package dev.keel.benchmarks;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Consumers: Keel's dedupe consumer against a plain consumer doing the same business insert per
 * record without dedupe; per-key parallel mode against per-partition order with a 2 ms handler and
 * 1,000 keys on one partition.
 */
final class ConsumerBench {
  private final KafkaBroker broker;
  private final IsolatedDatabase db;
  private final Report report;
  private int runs;

  ConsumerBench(KafkaBroker broker, IsolatedDatabase db, Report report) {
    this.broker = broker;
    this.db = db;
    this.report = report;
  }

  void run(boolean quick) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS bench_effect(run int, event_id text, PRIMARY KEY (run, event_id))");
    }
    int n = quick ? 2_000 : 50_000;
    report.section(
        "Consumers: " + n + " records over 4 partitions, one business insert per record, 1 thread");
    plain(Math.min(n, 2_000), 4, false);
    keel(Math.min(n, 2_000), 4, Ordering.PARTITION, 1, 0);
    double plain = plain(n, 4, false);
    double keel = keel(n, 4, Ordering.PARTITION, 1, 0, 1);
    report.line("plain consumer, insert + commit per record", plain, Double.NaN, Double.NaN);
    report
        .line("Keel consumer, one transaction per record", keel, Double.NaN, Double.NaN)
        .ratio("of the plain consumer", keel / plain);
    double keelDefault = keel(n, 4, Ordering.PARTITION, 1, 0);
    report
        .line("Keel consumer, default settings", keelDefault, Double.NaN, Double.NaN)
        .ratio("of the plain consumer", keelDefault / plain);
    double plainPerPoll = plain(n, 4, true);
    double batched = keel(n, 4, Ordering.PARTITION, 1, 0, 500);
    report.line(
        "plain consumer, insert per record, commit per poll", plainPerPoll, Double.NaN, Double.NaN);
    report
        .line("Keel consumer, up to 500 records per transaction", batched, Double.NaN, Double.NaN)
        .ratio("of the plain consumer committing per poll", batched / plainPerPoll);

    int m = quick ? 1_000 : 5_000;
    report.section(
        "Per-key parallelism: " + m + " records, 1,000 keys on 1 partition, 2 ms handler");
    double partition = keel(m, 1, Ordering.PARTITION, 1, 2);
    double perKey = keel(m, 1, Ordering.KEY, 32, 2);
    report.line("per-partition order (1 at a time)", partition, Double.NaN, Double.NaN);
    report
        .line("per-key order, 32 threads", perKey, Double.NaN, Double.NaN)
        .ratio("of per-partition", perKey / partition);
    double perKeySingle = keel(m, 1, Ordering.KEY, 32, 2, 1);
    report
        .line(
            "per-key order, 32 threads, transaction per record",
            perKeySingle,
            Double.NaN,
            Double.NaN)
        .ratio("of per-partition", perKeySingle / partition);
  }

  private String produce(int n, int partitions) {
    String topic = "consume-" + (++runs);
    broker.createTopic(topic, partitions);
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("linger.ms", 5);
    // Loading only: plain acks=all sends, each checked.
    p.put("enable.idempotence", false);
    p.put("acks", "all");
    p.put("max.in.flight.requests.per.connection", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Event e =
            Event.builder()
                .type("bench.happened")
                .topic(topic)
                .key("key-" + (i % 1000))
                .source("bench")
                .payload(Workload.PAYLOAD)
                .build();
        futures.add(producer.send(KafkaRecords.toProducerRecord(e)));
      }
      producer.flush();
      for (var f : futures) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("loading " + topic + " failed", e);
    }
    return topic;
  }

  private double plain(int n, int partitions, boolean commitPerPoll) throws Exception {
    String topic = produce(n, partitions);
    int run = runs;
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + run);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long start = System.nanoTime();
    long done = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO bench_effect VALUES (?, ?)")) {
      c.setAutoCommit(false);
      consumer.subscribe(List.of(topic));
      while (done < n) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          Event e = KafkaRecords.toEvent(r);
          ps.setInt(1, run);
          ps.setString(2, e.id().toString());
          ps.executeUpdate();
          if (!commitPerPoll) {
            c.commit();
          }
          done++;
        }
        c.commit();
        consumer.commitSync();
      }
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private double keel(int n, int partitions, Ordering ordering, int threads, long sleepMillis)
      throws Exception {
    return keel(n, partitions, ordering, threads, sleepMillis, 0);
  }

  private double keel(
      int n, int partitions, Ordering ordering, int threads, long sleepMillis, int batch)
      throws Exception {
    String topic = produce(n, partitions);
    int run = runs;
    AtomicLong handled = new AtomicLong();
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long start = System.nanoTime();
    ConsumerRuntime.Builder builder = ConsumerRuntime.builder();
    if (batch > 0) {
      builder.maxBatchSize(batch); // otherwise the runtime's default
    }
    try (ConsumerRuntime runtime =
        builder
            .consumerProperties(props)
            .dataSource(db.dataSource())
            .maxInFlight(500)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group("keel-" + run)
                    .ordering(ordering)
                    .concurrency(threads)
                    .handler(
                        d -> {
                          try (PreparedStatement ps =
                              d.connection()
                                  .prepareStatement("INSERT INTO bench_effect VALUES (?, ?)")) {
                            ps.setInt(1, run);
                            ps.setString(2, d.event().id().toString());
                            ps.executeUpdate();
                          }
                          if (sleepMillis > 0) {
                            Thread.sleep(sleepMillis);
                          }
                          handled.incrementAndGet();
                        })
                    .build())
            .build()) {
      runtime.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (handled.get() < n && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      // The handler counts before its transaction commits: wait for the last commits too.
      while (count(run) < n && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      double rate = n / ((System.nanoTime() - start) / 1e9);
      if (count(run) != n) {
        throw new IllegalStateException(
            "Keel consumer run " + run + ": " + count(run) + " effects for " + n + " records");
      }
      return rate;
    }
  }

  private long count(int run) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM bench_effect WHERE run = ?")) {
      ps.setInt(1, run);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
