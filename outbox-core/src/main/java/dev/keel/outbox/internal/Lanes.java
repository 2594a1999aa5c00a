package dev.keel.outbox.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Maps partition keys to lanes with a stable hash (32-bit MurmurHash3 of the UTF-8 bytes). */
public final class Lanes {
  private Lanes() {}

  /**
   * The lane of a key; an unkeyed event spreads by its id.
   *
   * @param key the partition key, or null
   * @param eventId the event id, used when the key is null
   * @param lanes the lane count
   */
  public static int of(String key, UUID eventId, int lanes) {
    int hash =
        key != null
            ? murmur3(key.getBytes(StandardCharsets.UTF_8))
            : Long.hashCode(eventId.getLeastSignificantBits());
    return Math.floorMod(hash, lanes);
  }

  static int murmur3(byte[] data) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = 0x9747b28c;
    int len = data.length;
    int blocks = len / 4;
    for (int i = 0; i < blocks; i++) {
      int k =
          (data[i * 4] & 0xff)
              | ((data[i * 4 + 1] & 0xff) << 8)
              | ((data[i * 4 + 2] & 0xff) << 16)
              | ((data[i * 4 + 3] & 0xff) << 24);
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    int tail = blocks * 4;
    switch (len & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
