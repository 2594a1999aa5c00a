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
 * [{"name":"keel-event-id","value":"..."},{"name":"bin","base64":"..."},{"name":"n"}]}. Values that
 * are valid UTF-8 without U+0000 are stored as text so operators can query them; any other value is
 * stored as {@code base64}, and a name holding U+0000 as {@code nameBase64} (PostgreSQL's {@code
 * jsonb} refuses {@code \u0000}).
 */
final class HeadersJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HeadersJson() {}

  static String encode(List<FailedRecord.Header> headers) {
    return encode(headers, false);
  }

  /**
   * @param allBase64 every name and value as base64 (the fallback when the database refused text)
   */
  static String encode(List<FailedRecord.Header> headers, boolean allBase64) {
    ArrayNode array = MAPPER.createArrayNode();
    for (FailedRecord.Header h : headers) {
      ObjectNode o = array.addObject();
      if (!allBase64 && StoredText.plainName(h.name())) {
        o.put("name", h.name());
      } else {
        o.put("nameBase64", base64(h.name().getBytes(StandardCharsets.UTF_8)));
      }
      byte[] v = h.value();
      if (v != null) {
        String text = allBase64 ? null : StoredText.plain(v);
        if (text != null) {
          o.put("value", text);
        } else {
          o.put("base64", base64(v));
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
        String name =
            o.hasNonNull("nameBase64")
                ? new String(
                    Base64.getDecoder().decode(o.get("nameBase64").asText()),
                    StandardCharsets.UTF_8)
                : o.path("name").asText();
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

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
