package dev.keel.dlq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.dlq.FailedRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Headers as a JSON array that keeps order, duplicates and exact bytes: {@code
 * [{"name":"keel-event-id","value":"..."},{"name":"bin","base64":"..."},{"name":"n"}]}. Valid UTF-8
 * values are stored as text so operators can query them.
 */
final class HeadersJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HeadersJson() {}

  static String encode(List<FailedRecord.Header> headers) {
    ArrayNode array = MAPPER.createArrayNode();
    for (FailedRecord.Header h : headers) {
      ObjectNode o = array.addObject();
      o.put("name", h.name());
      byte[] v = h.value();
      if (v != null) {
        String text = utf8(v);
        if (text != null) {
          o.put("value", text);
        } else {
          o.put("base64", Base64.getEncoder().encodeToString(v));
        }
      }
    }
    return array.toString();
  }

  static List<FailedRecord.Header> decode(String json) {
    List<FailedRecord.Header> out = new ArrayList<>();
    if (json == null) {
      return out;
    }
    try {
      for (JsonNode o : MAPPER.readTree(json)) {
        String name = o.path("name").asText();
        byte[] value = null;
        if (o.hasNonNull("value")) {
          value = o.get("value").asText().getBytes(StandardCharsets.UTF_8);
        } else if (o.hasNonNull("base64")) {
          value = Base64.getDecoder().decode(o.get("base64").asText());
        }
        out.add(new FailedRecord.Header(name, value));
      }
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new IllegalStateException("Stored dead-letter headers are not valid JSON", e);
    }
    return out;
  }

  static String utf8(byte[] bytes) {
    return dev.keel.event.internal.Utf8.decodeStrict(bytes);
  }
}
