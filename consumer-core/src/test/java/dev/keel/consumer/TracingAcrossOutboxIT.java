package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.observation.MessagingAttributes;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * One trace across the outbox gap, with the Micrometer Tracing bridge to OpenTelemetry that a
 * Spring Boot application uses: a server span (standing in for an HTTP request, continuing the
 * caller's W3C context) appends an event in its database transaction; the relay publishes the row;
 * a consumer runtime handles the record. The append, publish and process spans share the request's
 * trace id; append is the request span's child, publish and process are children of append (its
 * context is what the row and the record carry), and each has the OpenTelemetry messaging names and
 * attributes. The default builds observe nothing, even with a tracer current.
 */
@KeelTest
class TracingAcrossOutboxIT {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final String TRACESTATE = "vendor=opaque-value";

  @Test
  void oneTraceFromTheRequestThroughAppendRelayAndHandler(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("traced", 2);
    String group = Fixture.group();
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    try (OtelTracing tracing = new OtelTracing()) {
      ObservationRegistry registry = tracing.registry;
      Outbox outbox = Outbox.builder().lanes(8).observationRegistry(registry).build();
      Event event = Fixture.event(topic, "order-1", 1).toBuilder().header("tenant", "acme").build();

      Observation request = request(registry);
      request.observe(
          () -> {
            try {
              inTx(db.dataSource(), c -> outbox.append(c, event));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });

      String storedTraceParent = storedHeader(db, "traceparent");
      String storedTraceState = storedHeader(db, "tracestate");

      AtomicInteger calls = new AtomicInteger();
      List<Span> current = new CopyOnWriteArrayList<>();
      List<Event> seen = new CopyOnWriteArrayList<>();
      try (OutboxRelay relay =
              relay(db.dataSource(), broker).lanes(8).observationRegistry(registry).build();
          ConsumerRuntime runtime =
              Fixture.runtime(broker, db.dataSource())
                  .observationRegistry(registry)
                  .listener(
                      ListenerDefinition.builder()
                          .topic(topic)
                          .group(group)
                          .handler(
                              d -> {
                                calls.incrementAndGet();
                                current.add(tracing.tracer.currentSpan());
                                seen.add(d.event());
                              })
                          .build())
                  .build()) {
        relay.start();
        runtime.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> calls.get() == 1 && tracing.spans("process ").size() == 1);
      }

      SpanData http = tracing.span("http.server.requests");
      SpanData create = tracing.span("create " + topic);
      SpanData send = tracing.span("send " + topic);
      SpanData process = tracing.span("process " + topic);
      for (SpanData s : List.of(http, create, send, process)) {
        assertThat(s.getTraceId()).as(s.getName()).isEqualTo(TRACE);
      }
      assertThat(http.getParentSpanId()).isEqualTo(CALLER_SPAN);
      assertThat(create.getParentSpanId()).isEqualTo(http.getSpanId());
      assertThat(send.getParentSpanId()).isEqualTo(create.getSpanId());
      assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
      assertThat(create.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);

      String id = event.id().toString();
      assertAttributes(create, "create", "append", topic, id);
      assertAttributes(send, "send", "send", topic, id);
      assertAttributes(process, "process", "process", topic, id);
      assertThat(attr(process, MessagingAttributes.KAFKA_CONSUMER_GROUP)).isEqualTo(group);
      for (SpanData s : List.of(send, process)) {
        assertThat(attr(s, MessagingAttributes.DESTINATION_PARTITION_ID)).matches("[01]");
        assertThat(attr(s, MessagingAttributes.KAFKA_OFFSET)).isEqualTo("0");
      }
      assertThat(attr(send, MessagingAttributes.DESTINATION_PARTITION_ID))
          .isEqualTo(attr(process, MessagingAttributes.DESTINATION_PARTITION_ID));
      for (SpanData s : List.of(create, send, process)) {
        assertThat(attr(s, MessagingAttributes.KAFKA_MESSAGE_KEY)).as(s.getName()).isNull();
        assertThat(s.getStatus().getStatusCode().name()).as(s.getName()).isNotEqualTo("ERROR");
      }

      // The row and the record carry the append span's context, the caller's tracestate with it.
      String stored = "00-" + TRACE + "-" + create.getSpanId() + "-01";
      assertThat(storedTraceParent).isEqualTo(stored);
      assertThat(storedTraceState).isEqualTo(TRACESTATE);
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).traceParent()).contains(stored);
      assertThat(seen.get(0).headers())
          .containsEntry("tracestate", TRACESTATE)
          .containsEntry("tenant", "acme");
      // The handler ran inside the process span: what it observes or appends is its child.
      assertThat(current).hasSize(1);
      assertThat(current.get(0).context().spanId()).isEqualTo(process.getSpanId());
      assertThat(tracing.tracer.currentSpan()).isNull(); // nothing leaks into the test thread
    }
  }

  @Test
  void defaultBuildsObserveNothingEvenWithATracerCurrent(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("untraced", 1);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    try (OtelTracing tracing = new OtelTracing()) {
      Outbox outbox = Outbox.builder().lanes(8).build();
      Event event = Fixture.event(topic, "k", 1);
      request(tracing.registry)
          .observe(
              () -> {
                try {
                  inTx(db.dataSource(), c -> outbox.append(c, event));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(storedHeader(db, "traceparent")).isNull();
      AtomicInteger calls = new AtomicInteger();
      AtomicReference<Span> current = new AtomicReference<>();
      try (OutboxRelay relay = relay(db.dataSource(), broker).lanes(8).build();
          ConsumerRuntime runtime =
              Fixture.runtime(broker, db.dataSource())
                  .listener(
                      ListenerDefinition.builder()
                          .topic(topic)
                          .group(Fixture.group())
                          .handler(
                              d -> {
                                current.set(tracing.tracer.currentSpan());
                                calls.incrementAndGet();
                              })
                          .build())
                  .build()) {
        relay.start();
        runtime.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> calls.get() == 1);
      }
      assertThat(tracing.names()).containsExactly("http.server.requests");
      assertThat(current.get()).isNull(); // no span was current in the handler
    }
  }

  /** A server observation continuing a caller's W3C context, as an HTTP server would. */
  private static Observation request(ObservationRegistry registry) {
    Map<String, String> headers = new HashMap<>();
    headers.put("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01");
    headers.put("tracestate", TRACESTATE);
    ReceiverContext<Map<String, String>> context =
        new ReceiverContext<>((carrier, key) -> carrier.get(key), Kind.SERVER);
    context.setCarrier(headers);
    return Observation.createNotStarted("http.server.requests", () -> context, registry);
  }

  private static OutboxRelay.Builder relay(DataSource ds, KafkaBroker broker) {
    return OutboxRelay.builder()
        .dataSource(ds)
        .producerProperties(broker.clientProperties())
        .pollInterval(Duration.ofMillis(100))
        .leaseDuration(Duration.ofSeconds(3))
        .closeTimeout(Duration.ofSeconds(10));
  }

  private static void assertAttributes(
      SpanData span, String operationType, String operationName, String topic, String eventId) {
    assertThat(attr(span, MessagingAttributes.SYSTEM)).as(span.getName()).isEqualTo("kafka");
    assertThat(attr(span, MessagingAttributes.OPERATION_TYPE))
        .as(span.getName())
        .isEqualTo(operationType);
    assertThat(attr(span, MessagingAttributes.OPERATION_NAME))
        .as(span.getName())
        .isEqualTo(operationName);
    assertThat(attr(span, MessagingAttributes.DESTINATION_NAME))
        .as(span.getName())
        .isEqualTo(topic);
    assertThat(attr(span, MessagingAttributes.MESSAGE_ID)).as(span.getName()).isEqualTo(eventId);
  }

  private static String attr(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  interface SqlWork {
    void run(Connection c) throws Exception;
  }

  private static void inTx(DataSource ds, SqlWork work) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      work.run(c);
      c.commit();
    }
  }

  /** A header stored with the (one) outbox row before it is published; null when absent. */
  private static String storedHeader(IsolatedDatabase db, String name) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT headers->>? FROM keel_outbox")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
