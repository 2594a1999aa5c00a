package dev.keel.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A seeded generator of hostile records: keys, header names and values and payloads with U+0000 and
 * other control characters, invalid UTF-8, empty and oversized values, duplicated headers, broken
 * envelopes, next to valid events. The same seed gives the same records.
 */
final class HostileRecords {
  /** A header every generated record carries once, with its sequence number. */
  static final String SEQ = "fuzz-seq";

  /** What the handler does with a record that reaches it. */
  enum Mode {
    OK,
    BUSINESS_FAILURE,
    TRANSIENT_ONCE,
    ALWAYS_TRANSIENT,
    NUL_IN_EFFECT
  }

  /** A generated record and what the handler will do with it. */
  record Generated(int seq, ProducerRecord<byte[], byte[]> record, Mode mode, String eventId) {}

  private final Random random;
  private final List<byte[]> keyPool;

  /**
   * @param seed the seed (logged by the caller)
   * @param keyPool keys to draw from often, so that records share keys (for ordered mode)
   */
  HostileRecords(long seed, List<byte[]> keyPool) {
    this.random = new Random(seed);
    this.keyPool = keyPool;
  }

  /** Keys shared by several records: plain, with U+0000, with control characters, invalid UTF-8. */
  static List<byte[]> defaultKeyPool() {
    return List.of(
        utf8("k-1"),
        utf8("k\u00002"),
        utf8("k\u0001\n3"),
        new byte[] {(byte) 0xc3, 0x28, 0x00},
        utf8("base64:a2V5"));
  }

  Generated next(String topic, int seq) {
    Mode mode = Mode.values()[random.nextInt(Mode.values().length)];
    List<Header> headers = new ArrayList<>();
    String eventId = null;
    int envelope = random.nextInt(10);
    if (envelope < 7) {
      eventId = UUID.randomUUID().toString();
      envelope(headers, eventId, "item.added");
    } else if (envelope == 7) {
      // a broken envelope: the event id repeated, or U+0000 inside it or the type
      String id = UUID.randomUUID().toString();
      switch (random.nextInt(3)) {
        case 0 -> {
          envelope(headers, id, "item.added");
          headers.add(header("keel-event-id", utf8(UUID.randomUUID().toString())));
        }
        case 1 ->
            envelope(headers, id.substring(0, 10) + "\u0000" + id.substring(11), "item.added");
        default -> envelope(headers, id, "item\u0000.added");
      }
    } else if (envelope == 8) {
      String id = UUID.randomUUID().toString();
      envelope(headers, id, "item.added");
      headers.removeIf(h -> h.key().equals("keel-occurred-at"));
      headers.add(header("keel-occurred-at", hostileBytes(40)));
    } // 9: no envelope at all
    headers.add(header(SEQ, utf8(Integer.toString(seq))));
    int extra = random.nextInt(5);
    for (int i = 0; i < extra; i++) {
      headers.add(header(hostileName(), random.nextInt(6) == 0 ? null : hostileBytes(64)));
    }
    if (random.nextInt(6) == 0 && !headers.isEmpty()) {
      Header dup = headers.get(headers.size() - 1);
      if (!dup.key().equals(SEQ)) {
        headers.add(header(dup.key(), dup.value()));
      }
    }
    if (random.nextInt(15) == 0) {
      headers.add(header("oversized", new byte[12_000 + random.nextInt(4_000)]));
    }
    byte[] key = key();
    byte[] value = payload(key, seq);
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, key, value, headers);
    return new Generated(seq, r, mode, eventId);
  }

  private void envelope(List<Header> headers, String id, String type) {
    headers.add(header("keel-event-id", utf8(id)));
    headers.add(header("keel-event-type", utf8(type)));
    headers.add(header("keel-contract-version", utf8("1")));
    headers.add(header("keel-occurred-at", utf8(Instant.now().toString())));
    headers.add(header("keel-source", utf8("fuzz")));
  }

  private byte[] key() {
    int k = random.nextInt(10);
    if (k < 5) {
      return keyPool.get(random.nextInt(keyPool.size())).clone();
    }
    return switch (k) {
      case 5 -> null;
      case 6 -> new byte[0];
      case 7 -> hostileBytes(32);
      case 8 -> new byte[5_000 + random.nextInt(5_000)];
      default -> utf8("key-" + random.nextInt(1000));
    };
  }

  private byte[] payload(byte[] key, int seq) {
    return switch (random.nextInt(8)) {
      case 0 -> hostileBytes(200);
      case 1 -> new byte[0];
      case 2 -> {
        byte[] big = new byte[200_000 + random.nextInt(100_000)];
        random.nextBytes(big);
        yield big;
      }
      case 3 -> utf8("{\"key\":\"a\\u0000b\",\"seq\":" + seq + "}");
      default -> utf8("{\"key\":\"k" + seq + "\",\"seq\":" + seq + "}");
    };
  }

  private String hostileName() {
    return switch (random.nextInt(5)) {
      case 0 -> "x-\u0000-" + random.nextInt(10);
      case 1 -> "x-\u0007\n" + random.nextInt(10);
      case 2 -> "";
      case 3 -> "keel-dlq-reason"; // a forged dead-letter header
      default -> "x-" + random.nextInt(10);
    };
  }

  /** Bytes biased towards what text columns refuse: U+0000, controls, invalid UTF-8 sequences. */
  private byte[] hostileBytes(int max) {
    int n = random.nextInt(max + 1);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] =
          switch (random.nextInt(6)) {
            case 0 -> 0x00;
            case 1 -> (byte) random.nextInt(0x20);
            case 2 -> (byte) (0x80 + random.nextInt(0x80)); // lone continuation or lead byte
            case 3 -> (byte) 0xff;
            default -> (byte) (0x20 + random.nextInt(0x5f));
          };
    }
    return b;
  }

  private static Header header(String name, byte[] value) {
    return new RecordHeader(name, value);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
