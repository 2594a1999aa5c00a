package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Definitions are validated when built, with messages that name the saga and the step. */
class SagaDefinitionTest {
  record Data(String id) {}

  private static final FailurePolicy FORWARD =
      FailurePolicy.retryForward(RetryPolicy.builder().maxAttempts(5).build());

  private static Consumer<SagaStep.Builder<Data>> command(String type, String reply) {
    return s -> s.command("cmds", type, d -> d).onReply(reply).noCompensation();
  }

  private static SagaDefinition.Builder<Data> saga() {
    return SagaDefinition.builder("order-fulfillment", Data.class).replyTopic("replies");
  }

  @Test
  void aValidDefinitionKeepsItsStepsAndPivot() {
    SagaDefinition<Data> def =
        saga()
            .step(
                "reserve",
                s ->
                    s.command("inventory", "stock.reserve", d -> d)
                        .onReply("stock.reserved")
                        .compensation("inventory", "stock.release", d -> d, "stock.released"))
            .step(
                "charge",
                s ->
                    s.command("payments", "payment.charge", d -> d)
                        .onReply("payment.charged", Map.class, (d, r) -> d)
                        .noCompensation()
                        .pivot())
            .step(
                "ship",
                s ->
                    s.command("shipping", "shipment.create", d -> d)
                        .onReply("shipment.created")
                        .noCompensation()
                        .onFailure(FORWARD)
                        .timeout(Duration.ofMinutes(5)))
            .build();
    assertThat(def.steps()).extracting(SagaStep::name).containsExactly("reserve", "charge", "ship");
    assertThat(def.pivotIndex()).isEqualTo(1);
    assertThat(def.steps().get(0).timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(def.steps().get(2).timeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(def.indexOf("ship")).isEqualTo(2);
  }

  @Test
  void duplicateStepNamesAreRefused() {
    assertThatThrownBy(
            () ->
                saga()
                    .step("reserve", command("stock.reserve", "stock.reserved"))
                    .step("reserve", command("stock.reserve", "stock.reserved"))
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Saga order-fulfillment, step \"reserve\": duplicate step name");
  }

  @Test
  void aCompensationMustBeStatedEvenWhenThereIsNone() {
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "reserve",
                        s ->
                            s.command("inventory", "stock.reserve", d -> d)
                                .onReply("stock.reserved"))
                    .build())
        .hasMessageContaining("step \"reserve\"")
        .hasMessageContaining("noCompensation()");
  }

  @Test
  void aCommandWithoutReplyTypeIsRefused() {
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "charge",
                        s -> s.command("payments", "payment.charge", d -> d).noCompensation())
                    .build())
        .hasMessageContaining("step \"charge\": sends payment.charge but declares no reply type");
  }

  @Test
  void aCompensationCommandNeedsItsReplyType() {
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "reserve",
                        s ->
                            s.command("inventory", "stock.reserve", d -> d)
                                .onReply("stock.reserved")
                                .compensation("inventory", "stock.release", d -> d, null))
                    .build())
        .hasMessageContaining(
            "step \"reserve\": compensation stock.release declares no reply type");
  }

  @Test
  void aStepAfterThePivotMustRetryForward() {
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "charge",
                        s -> command("payment.charge", "payment.charged").accept(s.pivot()))
                    .step("ship", command("shipment.create", "shipment.created"))
                    .build())
        .hasMessageContaining("step \"ship\": comes after the pivot step \"charge\"")
        .hasMessageContaining("must retry forward");
  }

  @Test
  void aStepAfterThePivotCannotDeclareACompensation() {
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "charge",
                        s -> command("payment.charge", "payment.charged").accept(s.pivot()))
                    .step(
                        "ship",
                        s ->
                            s.command("shipping", "shipment.create", d -> d)
                                .onReply("shipment.created")
                                .compensation(
                                    "shipping", "shipment.cancel", d -> d, "shipment.cancelled")
                                .onFailure(FORWARD))
                    .build())
        .hasMessageContaining("step \"ship\"")
        .hasMessageContaining("would never run");
  }

  @Test
  void onlyOnePivot() {
    assertThatThrownBy(
            () ->
                saga()
                    .step("a", s -> command("a.do", "a.done").accept(s.pivot()))
                    .step(
                        "b",
                        s ->
                            s.command("c", "b.do", d -> d)
                                .onReply("b.done")
                                .noCompensation()
                                .onFailure(FORWARD)
                                .pivot())
                    .build())
        .hasMessageContaining("step \"b\": a saga has at most one pivot");
  }

  @Test
  void aReplyTopicIsRequiredForCommands() {
    assertThatThrownBy(
            () ->
                SagaDefinition.builder("billing", Data.class)
                    .step("charge", command("payment.charge", "payment.charged"))
                    .build())
        .hasMessageContaining("Saga billing: replyTopic is required");
  }

  @Test
  void localStepsNeedNoReplyTopic() {
    SagaDefinition<Data> def =
        SagaDefinition.builder("local-only", Data.class)
            .step("note", s -> s.local((tx, d) -> d).localCompensation((tx, d) -> d))
            .build();
    assertThat(def.replyTopic()).isEmpty();
  }

  @Test
  void aReplyTopicOfALocalOnlySagaIsIgnoredAndItsStepsSayTheyAreLocal() {
    LocalAction<Data> act = (tx, d) -> d;
    LocalAction<Data> undo = (tx, d) -> d;
    SagaDefinition<Data> def =
        saga().step("note", s -> s.local(act).localCompensation(undo)).build();
    assertThat(def.sendsCommands()).isFalse();
    assertThat(def.replyTopic()).as("no reply consumer for a local-only saga").isEmpty();
    SagaStep<Data> step = def.steps().get(0);
    assertThat(step.action()).isEqualTo(new StepAction.Local<>(act));
    assertThat(step.compensation()).isEqualTo(new Compensation.Local<>(undo));
    assertThat(step.compensation().undoes()).isTrue();
  }

  @Test
  void theSealedStepTypesRefuseMissingParts() {
    assertThatThrownBy(() -> new StepAction.Local<Data>(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RemoteCommand<Data>("cmds", null, d -> d))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("contract");
    assertThatThrownBy(() -> new Compensation.Remote<Data>(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void anActionCannotBeSetTwice() {
    assertThatThrownBy(
            () -> saga().step("x", s -> s.local((tx, d) -> d).command("c", "x.do", d -> d)).build())
        .hasMessageContaining("SagaStep x: the action is already set");
  }

  @Test
  void namesAndTypesAreChecked() {
    assertThatThrownBy(() -> SagaDefinition.builder("Order Fulfillment", Data.class).build())
        .hasMessageContaining("SagaDefinition.name must be lower-case");
    assertThatThrownBy(() -> saga().step("x", command("Payment Charge", "payment.charged")).build())
        .hasMessageContaining("step \"x\": command type must be an event type");
    assertThatThrownBy(() -> saga().step("x", command("payment.charge", "payment.charge")).build())
        .hasMessageContaining("the reply type must differ from the command type");
    assertThatThrownBy(() -> saga().build()).hasMessageContaining("at least one step");
  }

  @Test
  void dataMigrationsMustFormAChain() {
    assertThatThrownBy(
            () ->
                saga()
                    .dataVersion(3)
                    .migrateData(2, n -> n)
                    .step("x", command("x.do", "x.done"))
                    .build())
        .hasMessageContaining("migrateData from version 1 is missing");
    SagaDefinition<Data> ok =
        saga()
            .dataVersion(3)
            .migrateData(1, n -> n)
            .migrateData(2, n -> n)
            .step("x", command("x.do", "x.done"))
            .build();
    assertThat(ok.migrations()).containsOnlyKeys(1, 2);
  }

  @Test
  void aStepContractNamesItsParticipantAndDistinctTypes() {
    assertThatThrownBy(
            () ->
                StepContract.builder(null, "payment.authorize", Data.class).success("p.ok").build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("participant (the replies' keel-source) is required");
    assertThatThrownBy(
            () -> StepContract.builder("payments", "payment.authorize", Data.class).build())
        .hasMessageContaining("success(type) is required");
    assertThatThrownBy(
            () ->
                StepContract.builder("payments", "payment.authorize", Data.class)
                    .success("payment.authorize")
                    .build())
        .hasMessageContaining("the success type must differ from the command type");
    assertThatThrownBy(
            () ->
                StepContract.builder("payments", "payment.authorize", Data.class)
                    .success("payment.authorized")
                    .failure("payment.authorized")
                    .build())
        .hasMessageContaining("failure type payment.authorized must differ");
    assertThatThrownBy(
            () ->
                StepContract.builder("payments", "payment.authorize", Data.class)
                    .success("funds.hold-OK")
                    .build())
        .hasMessageContaining("success type must be an event type");
  }

  @Test
  void aTypedStepTakesItsTypesFromTheContract() {
    StepContract<Data, Map> charge =
        StepContract.builder("payments", "payment.charge", Data.class)
            .success("payment.charged", Map.class)
            .failure("payment.declined")
            .build();
    SagaDefinition<Data> def =
        saga()
            .step("charge", s -> s.command("cmds", charge, d -> d, (d, r) -> d).noCompensation())
            .build();
    SagaStep<Data> step = def.steps().get(0);
    assertThat(step.action()).isInstanceOf(StepAction.Remote.class);
    RemoteCommand<Data> command = ((StepAction.Remote<Data>) step.action()).command();
    assertThat(command.topic()).isEqualTo("cmds");
    assertThat(command.type()).isEqualTo("payment.charge");
    assertThat(command.replyType()).isEqualTo("payment.charged");
    assertThat(command.contract()).isSameAs(charge);
    assertThat(command.contract().successClass()).isEqualTo(Map.class);
    assertThat(step.compensation()).isInstanceOf(Compensation.None.class);
    assertThat(step.compensation().undoes()).isFalse();
    assertThat(charge.eventContracts())
        .extracting(c -> c.name() + "/" + c.owner())
        .containsExactly(
            "payment.charge/payments", "payment.charged/payments", "payment.declined/payments");

    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "charge",
                        s ->
                            s.command("cmds", charge, d -> d)
                                .onReply("payment.ok")
                                .noCompensation())
                    .build())
        .hasMessageContaining("step \"charge\": the command follows StepContract payment.charge")
        .hasMessageContaining("remove onReply(\"payment.ok\")");
    assertThatThrownBy(
            () ->
                saga()
                    .step(
                        "charge",
                        s ->
                            s.command("cmds", (StepContract<Data, ?>) null, d -> d)
                                .noCompensation())
                    .build())
        .hasMessageContaining("the command StepContract is null");
  }
}
