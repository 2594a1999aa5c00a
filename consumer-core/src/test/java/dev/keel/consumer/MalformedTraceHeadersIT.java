package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.EventHeaders;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/**
 * Forged, oversized and malformed trace headers never break processing: with tracing on, each
 * record's handler runs exactly once, nothing is dead-lettered, and a bad context is simply not
 * continued (the process span starts a new trace); a valid {@code traceparent} next to a broken
 * {@code tracestate} is still continued. The same holds for rows whose stored trace headers are
 * bad, published by a tracing relay.
 */
@KeelTest
class MalformedTraceHeadersIT {
  private static final String FORGED_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String VALID = "00-" + FORGED_TRACE + "-b7ad6b7169203331-01";
  private static final byte[] NOT_UTF8 = {'0', '0', '-', (byte) 0xc3, '(', (byte) 0xff};
  private static final String HUGE = "a".repeat(64 * 1024);

  @Test
  void hostileTraceHeadersFromKafkaAreIgnored(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("hostile-trace", 1);
    Map<String, Consumer<Headers>> cases = new LinkedHashMap<>();
    cases.put("garbage", h -> h.add("traceparent", utf8("not-a-trace-context")));
    cases.put("huge", h -> h.add("traceparent", utf8(HUGE)));
    cases.put("not-utf8", h -> h.add("traceparent", NOT_UTF8));
    cases.put("null", h -> h.add("traceparent", null));
    cases.put(
        "twice",
        h -> {
          h.add("traceparent", utf8(VALID));
          h.add("traceparent", utf8("00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01"));
        });
    cases.put(
        "zero-trace",
        h -> h.add("traceparent", utf8("00-" + "0".repeat(32) + "-b7ad6b7169203331-01")));
    cases.put(
        "version-ff",
        h -> h.add("traceparent", utf8("ff-" + FORGED_TRACE + "-b7ad6b7169203331-01")));
    cases.put("upper-case", h -> h.add("traceparent", utf8(VALID.toUpperCase())));
    cases.put("trailing", h -> h.add("traceparent", utf8(VALID + "-extra")));
    cases.put(
        "bad-tracestate",
        h -> {
          h.add("traceparent", utf8(VALID));
          h.add("tracestate", NOT_UTF8);
          h.add("tracestate", utf8(HUGE));
          h.add("baggage", utf8(HUGE));
        });
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (String key : cases.keySet()) {
        ProducerRecord<byte[], byte[]> r =
            KafkaRecords.toProducerRecord(Fixture.event(topic, key, 1));
        r.headers().remove(EventHeaders.TRACEPARENT);
        cases.get(key).accept(r.headers());
        Fixture.sendRaw(p, r);
      }
    }
    try (OtelTracing tracing = new OtelTracing()) {
      Map<String, AtomicInteger> calls = handleAll(broker, db, tracing, topic, cases.size());
      assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(cases.keySet());
      calls.forEach((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
      assertThat(tracing.spans("process " + topic)).hasSize(cases.size());
      long continued =
          tracing.spans("process " + topic).stream()
              .filter(s -> s.getTraceId().equals(FORGED_TRACE))
              .count();
      // Only the valid traceparent next to a broken tracestate is continued.
      assertThat(continued).isEqualTo(1);
      assertThat(
              tracing.spans("process " + topic).stream()
                  .filter(s -> !s.getTraceId().equals(FORGED_TRACE))
                  .map(SpanData::getParentSpanContext)
                  .allMatch(parent -> !parent.isValid()))
          .isTrue();
      assertThat(Fixture.count(db.dataSource(), "SELECT count(*) FROM keel_dead_letter")).isZero();
    }
  }

  @Test
  void badStoredTraceHeadersArePublishedAndHandledOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("hostile-rows", 1);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String zero = "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01";
    try (OtelTracing tracing = new OtelTracing()) {
      Outbox plain = Outbox.builder().lanes(8).build();
      Outbox traced = Outbox.builder().lanes(8).observationRegistry(tracing.registry).build();
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        // Stored as given: an invalid (all-zero) traceparent and a huge, broken tracestate.
        plain.append(
            c,
            Fixture.event(topic, "plain", 1).toBuilder()
                .traceParent(zero)
                .header("tracestate", HUGE)
                .header("baggage", "=;=,,")
                .build());
        // Traced: the invalid explicit traceparent gives way to the append span's context.
        traced.append(
            c,
            Fixture.event(topic, "traced", 2).toBuilder()
                .traceParent(zero)
                .header("tracestate", "!!not,a=tracestate!!")
                .build());
        c.commit();
      }
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      try (OutboxRelay relay =
          OutboxRelay.builder()
              .dataSource(db.dataSource())
              .producerProperties(broker.clientProperties())
              .lanes(8)
              .pollInterval(Duration.ofMillis(100))
              .observationRegistry(tracing.registry)
              .build()) {
        relay.start();
        calls = handleAll(broker, db, tracing, topic, 2);
      }
      assertThat(calls.keySet()).containsExactlyInAnyOrder("plain", "traced");
      calls.forEach((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
      SpanData create = tracing.span("create " + topic);
      assertThat(tracing.spans("send " + topic)).hasSize(2);
      assertThat(tracing.spans("process " + topic)).hasSize(2);
      // The traced row continues its append span; the plain row's bad context starts new traces.
      assertThat(
              tracing.spans("process " + topic).stream()
                  .filter(s -> s.getParentSpanId().equals(create.getSpanId())))
          .hasSize(1);
      assertThat(
              tracing.spans("send " + topic).stream()
                  .filter(s -> !s.getParentSpanContext().isValid()))
          .hasSize(1);
    }
  }

  /** Runs a tracing runtime until {@code expected} distinct keys were handled; calls by key. */
  private static Map<String, AtomicInteger> handleAll(
      KafkaBroker broker, IsolatedDatabase db, OtelTracing tracing, String topic, int expected)
      throws Exception {
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .observationRegistry(tracing.registry)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(Fixture.group())
                    .handler(
                        d ->
                            calls
                                .computeIfAbsent(
                                    d.event().key().orElseThrow(), k -> new AtomicInteger())
                                .incrementAndGet())
                    .build())
            .build()) {
      runtime.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  calls.size() == expected && tracing.spans("process " + topic).size() == expected);
    }
    return calls;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
