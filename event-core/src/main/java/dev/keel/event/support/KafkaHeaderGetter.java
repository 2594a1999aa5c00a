package dev.keel.event.support;

import dev.keel.event.EventHeaders;
import io.micrometer.observation.transport.Propagator;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads trace context from Kafka headers for a propagator. Header values are untrusted: a value
 * that is not UTF-8, is longer than {@link EventHeaders#MAX_VALUE_BYTES}, or comes more than once,
 * reads as absent, so that a propagator sees no context instead of a forged or broken one.
 * Stateless and thread-safe.
 */
public final class KafkaHeaderGetter implements Propagator.Getter<Headers> {
  /** The one instance. */
  public static final KafkaHeaderGetter INSTANCE = new KafkaHeaderGetter();

  private KafkaHeaderGetter() {}

  @Override
  public String get(Headers carrier, String key) {
    if (carrier == null || key == null) {
      return null;
    }
    Header found = null;
    for (Header h : carrier.headers(key)) {
      if (found != null) {
        return null; // several values: no single context to trust
      }
      found = h;
    }
    return found == null ? null : text(found.value());
  }

  @Override
  public Iterable<String> getAll(Headers carrier, String key) {
    List<String> all = new ArrayList<>(1);
    if (carrier == null || key == null) {
      return all;
    }
    for (Header h : carrier.headers(key)) {
      String value = text(h.value());
      if (value != null) {
        all.add(value);
      }
    }
    return all;
  }

  private static String text(byte[] value) {
    if (value == null || value.length > EventHeaders.MAX_VALUE_BYTES) {
      return null;
    }
    return Utf8.decodeStrict(value);
  }
}
