package dev.keel.event.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import java.io.IOException;

/**
 * JSON payloads through Jackson: records and {@code java.time} supported, unknown properties
 * ignored (additive evolution), no polymorphic typing (a payload never chooses its class), size and
 * nesting bounded. Errors are {@link PayloadException}s that name the target type and position but
 * not the content.
 *
 * <pre>{@code
 * JsonCodec json = JsonCodec.create();
 * byte[] bytes = json.encode(new OrderPlaced("o-1", new BigDecimal("12.50")));
 * OrderPlaced back = json.decode(bytes, OrderPlaced.class);
 * }</pre>
 *
 * Thread-safe.
 */
public final class JsonCodec {
  /** Payloads larger than this are rejected unless configured otherwise: 1 MiB. */
  public static final int DEFAULT_MAX_BYTES = 1024 * 1024;

  private final ObjectMapper mapper;
  private final int maxBytes;

  private JsonCodec(int maxBytes) {
    this.maxBytes = maxBytes;
    this.mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxDocumentLength(maxBytes)
                .maxNestingDepth(200)
                .maxStringLength(maxBytes)
                .build());
  }

  /** A codec with the default limit of {@link #DEFAULT_MAX_BYTES}. */
  public static JsonCodec create() {
    return new JsonCodec(DEFAULT_MAX_BYTES);
  }

  /**
   * A codec with a payload size limit.
   *
   * @param maxBytes between 1 and 256 MiB
   */
  public static JsonCodec withMaxBytes(int maxBytes) {
    if (maxBytes < 1 || maxBytes > 256 * 1024 * 1024) {
      throw new KeelConfigurationException(
          "JsonCodec.maxBytes must be between 1 and 268435456, was " + maxBytes);
    }
    return new JsonCodec(maxBytes);
  }

  /** The payload size limit in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * Encodes a value as UTF-8 JSON.
   *
   * @throws PayloadException when the value cannot be encoded or exceeds the limit
   */
  public byte[] encode(Object value) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new PayloadException(
          FailureClass.VALIDATION,
          "Cannot encode " + typeName(value) + " as JSON: " + e.getClass().getSimpleName());
    }
    if (bytes.length > maxBytes) {
      throw new PayloadException(
          FailureClass.VALIDATION,
          "Encoded "
              + typeName(value)
              + " is "
              + bytes.length
              + " bytes, over the limit of "
              + maxBytes);
    }
    return bytes;
  }

  /**
   * Decodes UTF-8 JSON into a type chosen by the caller (never by the payload).
   *
   * @throws PayloadException when the bytes are not valid JSON for the type, or too large
   */
  public <T> T decode(byte[] bytes, Class<T> type) {
    check(bytes, type.getName());
    try {
      T value = mapper.readValue(bytes, type);
      if (value == null) {
        throw new PayloadException(
            FailureClass.DESERIALIZATION, "Payload for " + type.getName() + " is JSON null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw failure(type.getName(), e);
    } catch (IOException e) {
      throw new PayloadException(
          FailureClass.DESERIALIZATION, "Cannot read payload for " + type.getName());
    }
  }

  /**
   * Decodes UTF-8 JSON into a tree, for payloads read by field name (business keys, checks).
   *
   * @throws PayloadException when the bytes are not valid JSON or too large
   */
  public JsonNode tree(byte[] bytes) {
    check(bytes, "JSON tree");
    try {
      JsonNode node = mapper.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new PayloadException(FailureClass.DESERIALIZATION, "Payload is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw failure("JSON tree", e);
    } catch (IOException e) {
      throw new PayloadException(FailureClass.DESERIALIZATION, "Cannot read payload as JSON");
    }
  }

  private void check(byte[] bytes, String target) {
    if (bytes == null) {
      throw new PayloadException(
          FailureClass.DESERIALIZATION, "Payload for " + target + " is missing");
    }
    if (bytes.length > maxBytes) {
      throw new PayloadException(
          FailureClass.VALIDATION,
          "Payload for "
              + target
              + " is "
              + bytes.length
              + " bytes, over the limit of "
              + maxBytes);
    }
  }

  private static PayloadException failure(String target, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new PayloadException(
        FailureClass.DESERIALIZATION,
        "Cannot decode payload as " + target + ": " + e.getClass().getSimpleName() + where);
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
