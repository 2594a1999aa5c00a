package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.ParkedRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of blocked keys and their releases: the block row's claim and release state, the parked
 * records page by page, and the claim a dead letter whose key is not blocked gets while it is
 * replayed. Every method runs in the caller's transaction; the callers lock the block row first.
 */
final class BlockSql {
  private static final String PARKED_COLUMNS =
      "id, consumer_group, topic, kafka_partition, kafka_offset, record_key, headers, payload,"
          + " parked_at";

  private final JdbcDeadLetterStore store;

  BlockSql(JdbcDeadLetterStore store) {
    this.store = store;
  }

  /** A blocked key: consumer group, source topic and key hash. */
  record Key(String group, String topic, String hash) {}

  /**
   * A block row's release state.
   *
   * @param token the release token, null before the key's first release
   * @param claimedBy who claims the key for a replay or discard, or null
   * @param claimedUntil until when the claim holds
   * @param halted whether a new dead letter of the key arrived while it was being released
   * @param sentThrough the highest parked id the release has started to send
   */
  record Block(
      String token, String claimedBy, Instant claimedUntil, boolean halted, long sentThrough) {

    /** Whether someone else holds a claim that has not expired at {@code now}. */
    boolean claimedByOther(String owner, Instant now) {
      return claimedBy != null
          && !claimedBy.equals(owner)
          && claimedUntil != null
          && claimedUntil.isAfter(now);
    }

    /** Whether {@code owner} still holds the claim. */
    boolean claimedBy(String owner) {
      return owner.equals(claimedBy);
    }
  }

  /** Locks a key's block row and reads its state; null when the key is not blocked. */
  Block lock(Connection c, Key k) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT release_token, claimed_by, claimed_until, halted, sent_through FROM "
                + store.blocked
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ? FOR UPDATE")) {
      key(ps, 1, k);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Block(
            rs.getString(1),
            rs.getString(2),
            store.instant(rs, 3),
            rs.getBoolean(4),
            rs.getLong(5));
      }
    }
  }

  /**
   * Claims a locked block row until {@code until}. With {@code fresh}, the release starts anew
   * under {@code token}: not halted, nothing sent yet.
   */
  void claim(Connection c, Key k, String token, String owner, Instant until, boolean fresh)
      throws SQLException {
    String sql =
        "UPDATE "
            + store.blocked
            + " SET release_token = ?, claimed_by = ?, claimed_until = ?"
            + (fresh ? ", halted = ?, sent_through = 0" : "")
            + " WHERE consumer_group = ? AND topic = ? AND key_hash = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, token);
      ps.setString(i++, owner);
      store.bind(ps, i++, until);
      if (fresh) {
        ps.setBoolean(i++, false);
      }
      key(ps, i, k);
      ps.executeUpdate();
    }
  }

  /** Extends a claim. */
  void renew(Connection c, Key k, Instant until) throws SQLException {
    update(c, k, "claimed_until = ?", until);
  }

  /** Gives a claim up; the release state stays for the next replay of the key. */
  void unclaim(Connection c, Key k) throws SQLException {
    update(c, k, "claimed_by = NULL, claimed_until = NULL", null);
  }

  /** Records that a release is about to send the parked records up to {@code id}. */
  void sending(Connection c, Key k, long id) throws SQLException {
    update(c, k, "sent_through = ?", id);
  }

  /** Records that the release with {@code token} has sent a dead letter. */
  void letterSent(Connection c, long id, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + store.deadLetter + " SET release_token = ? WHERE id = ?")) {
      ps.setString(1, token);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  /** Marks a key halted when it is being released: a new dead letter of it arrived. */
  void halt(Connection c, Key k) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + store.blocked
                + " SET halted = ? WHERE consumer_group = ? AND topic = ? AND key_hash = ?"
                + " AND release_token IS NOT NULL")) {
      ps.setBoolean(1, true);
      key(ps, 2, k);
      ps.executeUpdate();
    }
  }

  private void update(Connection c, Key k, String set, Object value) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + store.blocked
                + " SET "
                + set
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ?")) {
      int i = 1;
      if (value != null) {
        store.bind(ps, i++, value);
      }
      key(ps, i, k);
      ps.executeUpdate();
    }
  }

  /** Up to {@code limit} parked records of a key after {@code afterId}, in release order. */
  List<ParkedRecord> page(Connection c, Key k, long afterId, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + PARKED_COLUMNS
                + " FROM "
                + store.parked
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ? AND id > ?"
                + " ORDER BY id LIMIT "
                + limit)) {
      key(ps, 1, k);
      ps.setLong(4, afterId);
      List<ParkedRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          FailedRecord r =
              new FailedRecord(
                  rs.getString(3),
                  rs.getInt(4),
                  rs.getLong(5),
                  rs.getBytes(6),
                  rs.getBytes(8),
                  HeadersJson.decode(rs.getString(7)));
          out.add(new ParkedRecord(rs.getLong(1), rs.getString(2), r, store.instant(rs, 9)));
        }
      }
      return out;
    }
  }

  /** The ids of a key's first {@code limit} parked records, in release order. */
  List<Long> ids(Connection c, Key k, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id FROM "
                + store.parked
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ? ORDER BY id LIMIT "
                + limit)) {
      key(ps, 1, k);
      List<Long> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    }
  }

  /** Removes a key's parked records with ids from {@code first} to {@code last}. */
  int delete(Connection c, Key k, long first, long last) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + store.parked
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ? AND id >= ?"
                + " AND id <= ?")) {
      key(ps, 1, k);
      ps.setLong(4, first);
      ps.setLong(5, last);
      return ps.executeUpdate();
    }
  }

  /** The key a parked row belongs to, or null when there is no such row. */
  Key parkedKey(Connection c, long id) throws SQLException {
    return keyOf(c, store.parked, id);
  }

  /** The key a dead letter belongs to, or null when there is no such row. */
  Key deadLetterKey(Connection c, long id) throws SQLException {
    return keyOf(c, store.deadLetter, id);
  }

  private Key keyOf(Connection c, String table, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT consumer_group, topic, key_hash FROM " + table + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Key(rs.getString(1), rs.getString(2), rs.getString(3)) : null;
      }
    }
  }

  /**
   * A dead letter's status and replay claim, locked.
   *
   * @param status null when the row is gone
   * @param claimedBy who claims it for a replay (when its key is not blocked), or null
   * @param claimedUntil until when the claim holds
   * @param releaseToken the token of the key's release that sent it, or null
   */
  record Letter(
      DeadLetterStatus status, String claimedBy, Instant claimedUntil, String releaseToken) {
    boolean claimedByOther(String owner, Instant now) {
      return claimedBy != null
          && !claimedBy.equals(owner)
          && claimedUntil != null
          && claimedUntil.isAfter(now);
    }
  }

  /** Locks one dead letter and reads its status and claim. */
  Letter lockLetter(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT status, claimed_by, claimed_until, release_token FROM "
                + store.deadLetter
                + " WHERE id = ? FOR UPDATE")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Letter(null, null, null, null);
        }
        return new Letter(
            DeadLetterStatus.valueOf(rs.getString(1)),
            rs.getString(2),
            store.instant(rs, 3),
            rs.getString(4));
      }
    }
  }

  /** Claims a dead letter until {@code until}, or gives its claim up ({@code owner} null). */
  void claimLetter(Connection c, long id, String owner, Instant until) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE " + store.deadLetter + " SET claimed_by = ?, claimed_until = ? WHERE id = ?")) {
      ps.setString(1, owner);
      store.bind(ps, 2, until);
      ps.setLong(3, id);
      ps.executeUpdate();
    }
  }

  private static void key(PreparedStatement ps, int from, Key k) throws SQLException {
    ps.setString(from, k.group());
    ps.setString(from + 1, k.topic());
    ps.setString(from + 2, k.hash());
  }
}
