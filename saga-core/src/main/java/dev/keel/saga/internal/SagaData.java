package dev.keel.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.saga.SagaDefinition;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Saga data as stored JSON: encoded with Jackson, read back through the definition's migrations
 * when it was written with an older data version. No size cap beyond the codec's 256 MiB ceiling.
 */
final class SagaData {
  private final JsonCodec codec = JsonCodec.withMaxBytes(256 * 1024 * 1024);

  String encode(Object data) {
    return new String(codec.encode(data), StandardCharsets.UTF_8);
  }

  <D> D decode(String json, int storedVersion, SagaDefinition<D> def) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    if (storedVersion > def.dataVersion()) {
      throw new NonRetriableKeelException(
          FailureClass.CONTRACT_VERSION,
          "Saga "
              + def.name()
              + ": stored data version "
              + storedVersion
              + " is newer than this definition's "
              + def.dataVersion()
              + "; deploy the newer definition everywhere");
    }
    if (storedVersion < def.dataVersion() && !def.migrations().isEmpty()) {
      JsonNode tree = codec.tree(bytes);
      for (int v = storedVersion; v < def.dataVersion(); v++) {
        UnaryOperator<JsonNode> m = def.migrations().get(v);
        tree = m.apply(tree);
      }
      bytes = codec.encode(tree);
    }
    return codec.decode(bytes, def.dataType());
  }
}
