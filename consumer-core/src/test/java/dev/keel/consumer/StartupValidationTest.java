package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** Misconfigured listeners and runtimes fail at build, naming the method or the property. */
class StartupValidationTest {

  private static ConsumerRuntime.Builder builder() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:validation");
    return ConsumerRuntime.builder()
        .consumerProperties(Map.of("bootstrap.servers", "127.0.0.1:9"))
        .dataSource(ds);
  }

  static final class UnknownParameter {
    @KeelListener(topic = "orders", group = "billing")
    void on(Event event, String text) {}
  }

  static final class TwoPayloads {
    @KeelListener(topic = "orders", group = "billing")
    void on(Item a, Other b) {}
  }

  record Other(String x) {}

  static final class TwoHandlersForOneType {
    @KeelListener(topic = "orders", group = "billing", type = "order.placed")
    void first(Event e) {}

    @KeelListener(topic = "orders", group = "billing", type = "order.placed")
    void second(Event e, Connection c) {}
  }

  static final class OnePlaced {
    @KeelListener(topic = "orders", group = "billing", type = "order.placed")
    void placed(Event e) {}
  }

  static final class MissingGroup {
    @KeelListener(topic = "orders", group = "")
    void on(Event e) {}
  }

  static final class MissingTopic {
    @KeelListener(topic = " ", group = "billing")
    void on(Event e) {}
  }

  static final class Disagreeing {
    @KeelListener(topic = "orders", group = "billing", type = "a.b", ordering = Ordering.KEY)
    void keyed(Event e) {}

    @KeelListener(topic = "orders", group = "billing", type = "c.d")
    void ordered(Event e) {}
  }

  static final class BadKey {
    @KeelListener(topic = "orders", group = "billing", idempotencyKey = "column:id")
    void on(Event e) {}
  }

  static final class InterfacePayload {
    @KeelListener(topic = "orders", group = "billing")
    void on(Runnable r) {}
  }

  static final class NoListeners {
    void on(Event e) {}
  }

  static final class Fine {
    @KeelListener(topic = "orders", group = "billing", type = "item.added")
    void on(Item item, Event e, Connection c, DSLContext dsl, Delivery d) {}

    @KeelListener(topic = "orders", group = "billing")
    void everythingElse(Event e) {}

    @KeelListener(topic = "orders", group = "shipping", type = "item.added")
    void shipping(Item item) {}
  }

  static final class WrongContractPayload {
    @KeelListener(topic = "orders", group = "billing", type = "item.added")
    void on(Other other) {}
  }

  /** A dependency, not a payload: JSON cannot be decoded into it. */
  static final class OrderRepository {
    OrderRepository(javax.sql.DataSource ds) {}
  }

  static final class RepositoryParameter {
    @KeelListener(topic = "orders", group = "billing")
    void on(Event e, OrderRepository repository) {}
  }

  static final class RepositoryBesidePayload {
    @KeelListener(topic = "orders", group = "billing", type = "item.added")
    void on(Item item, OrderRepository repository) {}
  }

  static final class InnerPayloadListener {
    final class Inner {}

    @KeelListener(topic = "orders", group = "billing")
    void on(Inner inner) {}
  }

  /** Payload classes that are not records but that JSON can be decoded into. */
  static final class Pojo {
    String key;
  }

  static final class Created {
    private Created(String key, int seq) {}

    @com.fasterxml.jackson.annotation.JsonCreator
    static Created of(
        @com.fasterxml.jackson.annotation.JsonProperty("key") String key,
        @com.fasterxml.jackson.annotation.JsonProperty("seq") int seq) {
      return new Created(key, seq);
    }
  }

  static final class PojoListeners {
    @KeelListener(topic = "orders", group = "billing", type = "a.b")
    void pojo(Pojo p) {}

    @KeelListener(topic = "orders", group = "billing", type = "c.d")
    void created(Created c, Event e) {}
  }

  @Test
  void aParameterJsonCannotBeDecodedIntoIsNotTakenForThePayload() {
    assertThatThrownBy(() -> builder().register(new RepositoryParameter()).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("RepositoryParameter.on(Event, OrderRepository)")
        .hasMessageContaining("parameter 2 (" + OrderRepository.class.getName() + ")")
        .hasMessageContaining("cannot be a payload");
    assertThatThrownBy(() -> builder().register(new RepositoryBesidePayload()).build())
        .hasMessageContaining("RepositoryBesidePayload.on(Item, OrderRepository)")
        .hasMessageContaining("parameter 2")
        .hasMessageContaining("cannot be a payload");
    assertThatThrownBy(() -> builder().register(new InnerPayloadListener()).build())
        .hasMessageContaining("InnerPayloadListener.on(Inner)")
        .hasMessageContaining("cannot be a payload");
  }

  @Test
  void aContractDoesNotMakeAnUndecodableClassAPayload() {
    EventContracts contracts =
        EventContracts.builder()
            .register(
                EventContract.builder("order.stored", 1)
                    .owner("test")
                    .field(ContractField.required("key", FieldType.STRING, FieldRole.IDENTIFIER))
                    .payloadType(OrderRepository.class)
                    .build())
            .build();
    assertThatThrownBy(
            () -> builder().contracts(contracts).register(new RepositoryParameter()).build())
        .hasMessageContaining("RepositoryParameter.on(Event, OrderRepository)")
        .hasMessageContaining("cannot be a payload");
  }

  @Test
  void decodableClassesThatAreNotRecordsAreAcceptedAsPayloads() {
    try (ConsumerRuntime runtime = builder().register(new PojoListeners()).build()) {
      assertThat(runtime.listeners())
          .<Object>extracting(l -> l.payloadType().orElseThrow())
          .containsExactlyInAnyOrder(Pojo.class, Created.class);
    }
  }

  @Test
  void unknownParameterTypeNamesTheMethod() {
    assertThatThrownBy(() -> builder().register(new UnknownParameter()).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("UnknownParameter.on(Event, String)")
        .hasMessageContaining("parameter 2 has an unsupported type java.lang.String");
    assertThatThrownBy(() -> builder().register(new InterfacePayload()).build())
        .hasMessageContaining("InterfacePayload.on(Runnable)")
        .hasMessageContaining("unsupported type java.lang.Runnable");
  }

  @Test
  void twoPayloadParametersNameTheMethod() {
    assertThatThrownBy(() -> builder().register(new TwoPayloads()).build())
        .hasMessageContaining("TwoPayloads.on(Item, Other)")
        .hasMessageContaining("two payload parameters");
  }

  @Test
  void twoHandlersForOneTypeNameBothMethods() {
    assertThatThrownBy(() -> builder().register(new TwoHandlersForOneType()).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Two handlers for event type order.placed")
        .hasMessageContaining("TwoHandlersForOneType.first(Event)")
        .hasMessageContaining("TwoHandlersForOneType.second(Event, Connection)");
  }

  @Test
  void twoHandlersAcrossBeansAndDefinitionsAreCaughtToo() {
    ListenerDefinition again =
        ListenerDefinition.builder()
            .topic("orders")
            .group("billing")
            .eventType("order.placed")
            .handler(d -> {})
            .build();
    assertThatThrownBy(() -> builder().register(new OnePlaced()).listener(again).build())
        .hasMessageContaining("Two handlers for event type order.placed")
        .hasMessageContaining("OnePlaced.placed(Event)")
        .hasMessageContaining("listener billing/orders/order.placed");
  }

  @Test
  void missingGroupOrTopicNamesTheMethod() {
    assertThatThrownBy(() -> builder().register(new MissingGroup()).build())
        .hasMessageContaining("MissingGroup.on(Event)")
        .hasMessageContaining("group is required");
    assertThatThrownBy(() -> builder().register(new MissingTopic()).build())
        .hasMessageContaining("MissingTopic.on(Event)")
        .hasMessageContaining("topic is required");
    assertThatThrownBy(() -> ListenerDefinition.builder().topic("t").handler(d -> {}).build())
        .hasMessageContaining("group is required");
  }

  @Test
  void listenersSharingAConsumerMustAgree() {
    assertThatThrownBy(() -> builder().register(new Disagreeing()).build())
        .hasMessageContaining("disagree on ordering")
        .hasMessageContaining("Disagreeing.keyed(Event)")
        .hasMessageContaining("Disagreeing.ordered(Event)");
  }

  @Test
  void badIdempotencyKeyAndEmptyBeansAreRejected() {
    assertThatThrownBy(() -> builder().register(new BadKey()).build())
        .hasMessageContaining("BadKey.on(Event)")
        .hasMessageContaining("idempotencyKey must be empty, header:<name> or payload:<field>");
    assertThatThrownBy(() -> builder().register(new NoListeners()).build())
        .hasMessageContaining("NoListeners has no @KeelListener method");
    assertThatThrownBy(() -> builder().build()).hasMessageContaining("at least one listener");
  }

  @Test
  void payloadParameterMustMatchTheContract() {
    EventContracts contracts =
        EventContracts.builder()
            .register(
                EventContract.builder("item.added", 1)
                    .owner("test")
                    .field(ContractField.required("key", FieldType.STRING, FieldRole.IDENTIFIER))
                    .payloadType(Item.class)
                    .build())
            .build();
    assertThatThrownBy(
            () -> builder().contracts(contracts).register(new WrongContractPayload()).build())
        .hasMessageContaining("WrongContractPayload.on(Other)")
        .hasMessageContaining("not the payload class of any contract of item.added");
  }

  @Test
  void wellFormedListenersBuild() {
    try (ConsumerRuntime runtime = builder().register(new Fine()).build()) {
      assertThat(runtime.isRunning()).isFalse();
    }
  }

  @Test
  void runtimePropertiesAreValidatedByName() {
    Fine fine = new Fine();
    Map<String, Object> withGroup = new HashMap<>(Map.of("bootstrap.servers", "x:1"));
    withGroup.put("group.id", "g");
    assertThatThrownBy(() -> builder().consumerProperties(withGroup).register(fine).build())
        .hasMessageContaining("ConsumerRuntime.consumerProperties must not set group.id");
    assertThatThrownBy(
            () ->
                builder()
                    .consumerProperties(
                        Map.of("bootstrap.servers", "x:1", "enable.auto.commit", "true"))
                    .register(fine)
                    .build())
        .hasMessageContaining("enable.auto.commit must be false");
    assertThatThrownBy(() -> builder().consumerProperties(Map.of()).register(fine).build())
        .hasMessageContaining("must contain bootstrap.servers");
    assertThatThrownBy(() -> builder().threads(0).register(fine).build())
        .hasMessage("ConsumerRuntime.threads must be between 1 and 256, was 0");
    assertThatThrownBy(() -> builder().maxInFlight(0).register(fine).build())
        .hasMessageContaining("ConsumerRuntime.maxInFlight");
    assertThatThrownBy(
            () -> builder().dedupeRetention(Duration.ofSeconds(5)).register(fine).build())
        .hasMessageContaining("ConsumerRuntime.dedupeRetention");
    assertThatThrownBy(() -> builder().dataSource(null).register(fine).build())
        .hasMessageContaining("ConsumerRuntime.dataSource");
    assertThatThrownBy(() -> builder().jdbcUrl("jdbc:h2:mem:x", "sa", "").register(fine).build())
        .hasMessageContaining("exactly one of dataSource and jdbcUrl");
  }

  @Test
  void idempotencyKeySpecs() {
    assertThat(IdempotencyKey.parse("")).isEqualTo(IdempotencyKey.eventId());
    assertThat(IdempotencyKey.parse("header:x-request-id"))
        .isEqualTo(IdempotencyKey.header("x-request-id"));
    assertThat(IdempotencyKey.parse("payload:order.id").name()).isEqualTo("order.id");
    assertThatThrownBy(() -> IdempotencyKey.payloadField("a..b"))
        .isInstanceOf(KeelConfigurationException.class);
    assertThat(List.of(IdempotencyKey.eventId().toString())).containsExactly("keel-event-id");
  }

  @Test
  void parkNeedsOrderedMode() {
    ListenerDefinition l =
        ListenerDefinition.builder().topic("t").group("g").handler(d -> {}).build();
    dev.keel.retry.RetryPolicy park =
        dev.keel.retry.RetryPolicy.builder()
            .action(dev.keel.event.FailureClass.BUSINESS, dev.keel.event.FailureAction.PARK)
            .build();
    assertThatThrownBy(() -> builder().retryPolicy(park).listener(l).build())
        .isInstanceOf(dev.keel.event.KeelConfigurationException.class)
        .hasMessageContaining("ConsumerRuntime.retryPolicy")
        .hasMessageContaining("business")
        .hasMessageContaining("ordered mode");
    builder().retryPolicy(park).orderedMode(true).listener(l).build().close();
  }
}
