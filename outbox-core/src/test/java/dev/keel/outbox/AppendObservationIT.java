package dev.keel.outbox;

import static dev.keel.outbox.OutboxFixture.event;
import static dev.keel.outbox.OutboxFixture.inTx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.observation.MessagingAttributes;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.observation.DefaultOutboxAppendObservationConvention;
import dev.keel.outbox.observation.OutboxAppendContext;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.SenderContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The append observation against PostgreSQL: one {@code create <topic>} per event with the
 * messaging key values; the trace context a handler injects is stored with the row, except names of
 * Keel's header contract; an explicit valid traceparent wins; a refused append records its error; a
 * convention can add the record key.
 */
@KeelTest
class AppendObservationIT {
  private static final String INJECTED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final TestObservationRegistry registry = TestObservationRegistry.create();

  /** Stands in for a tracing bridge: writes trace context (and forged Keel headers) on start. */
  private static final class Injector implements ObservationHandler<SenderContext<Object>> {
    @Override
    public void onStart(SenderContext<Object> context) {
      context.getSetter().set(context.getCarrier(), "traceparent", INJECTED);
      context.getSetter().set(context.getCarrier(), "tracestate", "vendor=v1");
      context.getSetter().set(context.getCarrier(), "baggage", "tenant=acme");
      context.getSetter().set(context.getCarrier(), "keel-event-id", "forged");
      context.getSetter().set(context.getCarrier(), "keel-source", "forged");
      context.getSetter().set(context.getCarrier(), "keel-dlq-reason", "forged");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return context instanceof SenderContext;
    }
  }

  private void install(IsolatedDatabase db) {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    registry.observationConfig().observationHandler(new Injector());
  }

  @Test
  void eachAppendedEventIsObservedAndStoredWithTheInjectedContext(IsolatedDatabase db)
      throws Exception {
    install(db);
    Outbox outbox = Outbox.builder().lanes(8).observationRegistry(registry).build();
    Event a = event("orders", "customer-42", "{}");
    Event b = event("orders", "customer-43", "{}");
    inTx(db.dataSource(), c -> outbox.appendAll(c, List.of(a, b)));

    TestObservationRegistryAssert.assertThat(registry)
        .hasNumberOfObservationsWithNameEqualTo(DefaultOutboxAppendObservationConvention.NAME, 2)
        .forAllObservationsWithNameEqualTo(
            DefaultOutboxAppendObservationConvention.NAME,
            o ->
                o.hasContextualNameEqualTo("create orders")
                    .doesNotHaveError()
                    .hasLowCardinalityKeyValue(MessagingAttributes.SYSTEM, "kafka")
                    .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_TYPE, "create")
                    .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_NAME, "append")
                    .hasLowCardinalityKeyValue(MessagingAttributes.DESTINATION_NAME, "orders")
                    .hasHighCardinalityKeyValueWithKey(MessagingAttributes.MESSAGE_ID)
                    .doesNotHaveHighCardinalityKeyValueWithKey(
                        MessagingAttributes.KAFKA_MESSAGE_KEY))
        .hasAnObservationWithAKeyValue(MessagingAttributes.MESSAGE_ID, a.id().toString())
        .hasAnObservationWithAKeyValue(MessagingAttributes.MESSAGE_ID, b.id().toString());

    Map<String, String> stored = storedHeaders(db, a);
    assertThat(stored)
        .containsEntry("traceparent", INJECTED)
        .containsEntry("tracestate", "vendor=v1")
        .containsEntry("baggage", "tenant=acme")
        .containsEntry("keel-source", "test") // the envelope's own, not the forged one
        .doesNotContainKeys("keel-event-id", "keel-dlq-reason");
  }

  @Test
  void anExplicitValidTraceparentWinsAnInvalidOneGivesWay(IsolatedDatabase db) throws Exception {
    install(db);
    Outbox outbox = Outbox.builder().lanes(8).observationRegistry(registry).build();
    String own = "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01";
    Event explicit = event("orders", "a", "{}").toBuilder().traceParent(own).build();
    Event zero =
        event("orders", "b", "{}").toBuilder()
            .traceParent("00-" + "0".repeat(32) + "-" + "2".repeat(16) + "-01")
            .build();
    inTx(db.dataSource(), c -> outbox.appendAll(c, List.of(explicit, zero)));
    assertThat(storedHeaders(db, explicit))
        .containsEntry("traceparent", own)
        .doesNotContainKey("tracestate");
    assertThat(storedHeaders(db, zero)).containsEntry("traceparent", INJECTED);
  }

  @Test
  void aRefusedAppendRecordsTheErrorOnEachObservation(IsolatedDatabase db) throws Exception {
    install(db);
    Outbox outbox =
        Outbox.builder().lanes(8).maxPayloadBytes(10).observationRegistry(registry).build();
    Event small = event("orders", "a", "{}");
    Event large = event("orders", "b", "{\"too\":\"large\"}");
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> outbox.appendAll(c, List.of(small, large)))
          .isInstanceOf(InvalidEventException.class);
      c.rollback();
    }
    TestObservationRegistryAssert.assertThat(registry)
        .hasNumberOfObservationsWithNameEqualTo(DefaultOutboxAppendObservationConvention.NAME, 2)
        .forAllObservationsWithNameEqualTo(
            DefaultOutboxAppendObservationConvention.NAME,
            o ->
                o.hasError()
                    .hasHighCardinalityKeyValue(
                        MessagingAttributes.ERROR_TYPE, InvalidEventException.class.getName()));
  }

  @Test
  void aConventionCanAddTheRecordKey(IsolatedDatabase db) throws Exception {
    install(db);
    Outbox outbox =
        Outbox.builder()
            .lanes(8)
            .observationRegistry(registry)
            .observationConvention(
                new DefaultOutboxAppendObservationConvention() {
                  @Override
                  public KeyValues getHighCardinalityKeyValues(OutboxAppendContext context) {
                    return super.getHighCardinalityKeyValues(context)
                        .and(
                            MessagingAttributes.KAFKA_MESSAGE_KEY,
                            context.event().key().orElse(""));
                  }

                  @Override
                  public String getName() {
                    return "orders.outbox";
                  }
                })
            .build();
    inTx(db.dataSource(), c -> outbox.append(c, event("orders", "customer-42", "{}")));
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasNameEqualTo("orders.outbox")
        .hasHighCardinalityKeyValue(MessagingAttributes.KAFKA_MESSAGE_KEY, "customer-42");
  }

  @Test
  void defaultsObserveNothingAndNullIsRefused(IsolatedDatabase db) throws Exception {
    install(db);
    Outbox outbox = Outbox.builder().lanes(8).build();
    Event e = event("orders", "a", "{}");
    inTx(db.dataSource(), c -> outbox.append(c, e));
    assertThat(storedHeaders(db, e)).doesNotContainKeys("traceparent", "tracestate");
    TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
    assertThatThrownBy(() -> Outbox.builder().observationRegistry(null).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Outbox.observationRegistry");
  }

  private static Map<String, String> storedHeaders(IsolatedDatabase db, Event e) throws Exception {
    Map<String, String> headers = new HashMap<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT key, value FROM keel_outbox, jsonb_each_text(headers)"
                    + " WHERE event_id = ?")) {
      ps.setObject(1, e.id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          headers.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return headers;
  }
}
