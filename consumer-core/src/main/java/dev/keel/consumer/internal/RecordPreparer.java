package dev.keel.consumer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.consumer.IdempotencyKey;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Deserializes a record for its handler: the envelope under the header contract, the handler by
 * event type, the payload class by contract type and version (never by a header), the idempotency
 * key. Every failure here is poison ({@code DESERIALIZATION}, {@code CONTRACT_VERSION} or {@code
 * VALIDATION}). Thread-safe.
 */
final class RecordPreparer {
  static final int MAX_KEY_LENGTH = 255;

  private final SubscriptionPlan plan;
  private final EventContracts contracts;
  private final JsonCodec json;

  RecordPreparer(SubscriptionPlan plan, EventContracts contracts, JsonCodec json) {
    this.plan = plan;
    this.contracts = contracts;
    this.json = json;
  }

  Prepared prepare(ConsumerRecord<byte[], byte[]> record) {
    Event event = KafkaRecords.toEvent(record);
    ListenerDefinition listener = plan.handlerFor(event.type());
    if (listener == null) {
      return new Prepared(event, null, null, null, record.partition(), record.offset());
    }
    contracts.check(event.type(), event.contractVersion());
    Object payload = null;
    if (listener.payloadType().isPresent()) {
      payload = json.decode(event.payload(), payloadClass(event, listener));
    }
    String key = key(listener, record, event);
    return new Prepared(event, listener, payload, key, record.partition(), record.offset());
  }

  private Class<?> payloadClass(Event event, ListenerDefinition listener) {
    Class<?> expected = listener.payloadType().get();
    if (contracts.latest(event.type()).isEmpty()) {
      return expected;
    }
    EventContract contract = contracts.require(event.type(), event.contractVersion());
    Class<?> declared = contract.payloadType().orElse(expected);
    if (!expected.isAssignableFrom(declared)) {
      throw new NonRetriableKeelException(
          FailureClass.CONTRACT_VERSION,
          "Contract "
              + contract
              + " decodes into "
              + declared.getName()
              + ", which "
              + listener.name()
              + " cannot take (it expects "
              + expected.getName()
              + ")");
    }
    return declared;
  }

  private String key(ListenerDefinition listener, ConsumerRecord<byte[], byte[]> r, Event event) {
    IdempotencyKey spec = listener.idempotencyKey();
    String key;
    switch (spec.source()) {
      case HEADER:
        key =
            KafkaRecords.singleHeader(
                r.headers(), spec.name(), r.topic(), r.partition(), r.offset());
        break;
      case PAYLOAD_FIELD:
        key = field(json.tree(event.payload()), spec.name());
        break;
      default:
        return event.id().toString();
    }
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION,
          "Record "
              + r.topic()
              + "-"
              + r.partition()
              + "@"
              + r.offset()
              + ": idempotency key "
              + spec
              + (key == null || key.isEmpty()
                  ? " is missing"
                  : " is longer than " + MAX_KEY_LENGTH + " chars")
              + " for "
              + listener.name());
    }
    return key;
  }

  private static String field(JsonNode root, String path) {
    JsonNode node = root;
    for (String part : path.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
  }
}
