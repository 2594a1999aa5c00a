package dev.keel.saga;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** The validation of a {@link SagaDefinition}; every message names the saga and the step. */
final class DefinitionRules {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*");

  private DefinitionRules() {}

  static <D> void check(SagaDefinition.Builder<D> b) {
    if (b.name == null || b.name.length() > 200 || !NAME.matcher(b.name).matches()) {
      throw new KeelConfigurationException(
          "SagaDefinition.name must be lower-case words joined by '-' or '_' (at most 200 chars),"
              + " such as order-fulfillment, was "
              + quote(b.name));
    }
    String saga = "Saga " + b.name;
    if (b.dataType == null) {
      throw new KeelConfigurationException(saga + ": dataType is required");
    }
    if (b.version < 1 || b.dataVersion < 1) {
      throw new KeelConfigurationException(
          saga
              + ": version and dataVersion must be at least 1, were "
              + b.version
              + ", "
              + b.dataVersion);
    }
    for (int v = 1; v < b.dataVersion; v++) {
      if (!b.migrations.containsKey(v) && !b.migrations.isEmpty()) {
        throw new KeelConfigurationException(
            saga
                + ": migrateData from version "
                + v
                + " is missing (dataVersion "
                + b.dataVersion
                + ")");
      }
    }
    for (int from : b.migrations.keySet()) {
      if (from < 1 || from >= b.dataVersion) {
        throw new KeelConfigurationException(
            saga
                + ": migrateData("
                + from
                + ", ...) must upgrade a version below dataVersion "
                + b.dataVersion);
      }
    }
    if (b.defaultTimeout == null || b.defaultTimeout.compareTo(Duration.ofMillis(1)) < 0) {
      throw new KeelConfigurationException(
          saga + ": defaultTimeout must be positive, was " + b.defaultTimeout);
    }
    if (b.compensationRetry == null) {
      throw new KeelConfigurationException(saga + ": compensationRetry is required");
    }
    if (b.steps.isEmpty()) {
      throw new KeelConfigurationException(saga + ": at least one step is required");
    }
    if (b.outcomeTopic != null) {
      topic(saga, "outcomeTopic", b.outcomeTopic);
    }
    Set<String> names = new HashSet<>();
    boolean anyCommand = false;
    String pivot = null;
    for (SagaStep.Builder<D> s : b.steps) {
      String step = saga + ", step " + quote(s.name());
      if (s.name() == null || !NAME.matcher(s.name()).matches() || s.name().length() > 200) {
        throw new KeelConfigurationException(
            step + ": the step name must be lower-case words joined by '-' or '_'");
      }
      if (!names.add(s.name())) {
        throw new KeelConfigurationException(step + ": duplicate step name");
      }
      if (s.actionKind() == null) {
        throw new KeelConfigurationException(
            step + ": an action is required (command(...) or local(...))");
      }
      if (s.compensationKind() == null) {
        throw new KeelConfigurationException(
            step
                + ": a compensation is required, or state that there is none with"
                + " noCompensation()");
      }
      if (s.actionKind() == SagaStep.Builder.Kind.REMOTE) {
        anyCommand = true;
        contract(step, "command", s.typedAction(), s.actionContract(), s.replyType());
        topic(step, "command topic", s.commandTopic());
        type(step, "command type", s.commandType());
        if (s.commandPayload() == null) {
          throw new KeelConfigurationException(step + ": the command payload function is required");
        }
        if (s.replyType() == null) {
          throw new KeelConfigurationException(
              step + ": sends " + s.commandType() + " but declares no reply type (onReply)");
        }
        type(step, "reply type", s.replyType());
        if (s.replyType().equals(s.commandType())) {
          throw new KeelConfigurationException(
              step + ": the reply type must differ from the command type " + s.commandType());
        }
      } else if (s.localAction() == null) {
        throw new KeelConfigurationException(step + ": the local action is null");
      } else if (s.replyType() != null) {
        throw new KeelConfigurationException(
            step + ": a local step has no reply; remove onReply(" + s.replyType() + ")");
      }
      if (s.compensationKind() == SagaStep.Builder.Kind.REMOTE) {
        anyCommand = true;
        contract(
            step,
            "compensation",
            s.typedCompensation(),
            s.compensationContract(),
            s.compensationReplyType());
        topic(step, "compensation topic", s.compensationTopic());
        type(step, "compensation type", s.compensationType());
        if (s.compensationPayload() == null) {
          throw new KeelConfigurationException(
              step + ": the compensation payload function is required");
        }
        if (s.compensationReplyType() == null) {
          throw new KeelConfigurationException(
              step + ": compensation " + s.compensationType() + " declares no reply type");
        }
        type(step, "compensation reply type", s.compensationReplyType());
      } else if (s.compensationKind() == SagaStep.Builder.Kind.LOCAL
          && s.localCompensationAction() == null) {
        throw new KeelConfigurationException(step + ": the local compensation is null");
      }
      if (s.timeoutValue() != null && s.timeoutValue().compareTo(Duration.ofMillis(1)) < 0) {
        throw new KeelConfigurationException(
            step + ": timeout must be positive, was " + s.timeoutValue());
      }
      if (s.failurePolicy() == null) {
        throw new KeelConfigurationException(step + ": the failure policy is null");
      }
      if (pivot != null) {
        if (!s.failurePolicy().retriesForward()) {
          throw new KeelConfigurationException(
              step
                  + ": comes after the pivot step "
                  + quote(pivot)
                  + " and must retry forward (onFailure(FailurePolicy.retryForward(...))):"
                  + " compensating it would have to undo the pivot");
        }
        if (s.compensationKind() != SagaStep.Builder.Kind.NONE) {
          throw new KeelConfigurationException(
              step
                  + ": comes after the pivot step "
                  + quote(pivot)
                  + " and its compensation would never run; use noCompensation()");
        }
        if (s.isPivot()) {
          throw new KeelConfigurationException(
              step + ": a saga has at most one pivot, " + quote(pivot) + " is one already");
        }
      }
      if (s.isPivot()) {
        pivot = s.name();
      }
    }
    if (anyCommand) {
      if (b.replyTopic == null) {
        throw new KeelConfigurationException(
            saga + ": replyTopic is required because steps send commands");
      }
      topic(saga, "replyTopic", b.replyTopic);
    }
  }

  private static void contract(
      String step, String what, boolean typed, StepContract<?, ?> contract, String replyType) {
    if (!typed) {
      return;
    }
    if (contract == null) {
      throw new KeelConfigurationException(step + ": the " + what + " StepContract is null");
    }
    if (!contract.successType().equals(replyType)) {
      throw new KeelConfigurationException(
          step
              + ": the "
              + what
              + " follows "
              + contract
              + ", whose success reply is "
              + contract.successType()
              + "; remove onReply("
              + quote(replyType)
              + ")");
    }
  }

  private static void topic(String who, String what, String topic) {
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new KeelConfigurationException(
          who + ": " + what + " must be a legal Kafka topic name, was " + quote(topic));
    }
  }

  private static void type(String who, String what, String type) {
    if (type == null || !Event.TYPE_PATTERN.matcher(type).matches()) {
      throw new KeelConfigurationException(
          who
              + ": "
              + what
              + " must be an event type such as payment.authorize, was "
              + quote(type));
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s.replaceAll("\\p{Cntrl}", "?") + "\"";
  }
}
