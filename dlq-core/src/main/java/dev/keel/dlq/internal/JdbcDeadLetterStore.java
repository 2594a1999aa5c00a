package dev.keel.dlq.internal;

import dev.keel.dlq.AuditEntry;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.ParkedRecord;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.SqlStates;
import dev.keel.event.support.Values;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** The JDBC {@link DeadLetterStore}: plain SQL on quoted, validated table names. */
public final class JdbcDeadLetterStore implements DeadLetterStore {
  /**
   * How far below every parked id a dead letter's record is parked again when its key's release
   * stopped before the consumer read it: ahead of the key's parked records, in dead letter order.
   */
  static final long DEAD_LETTER_PLACES = 1L << 62;

  private static final String COLUMNS =
      "id, consumer_group, topic, kafka_partition, kafka_offset, record_key, event_id, reason,"
          + " exception_class, exception_message, stack_trace, attempts, first_failure,"
          + " last_failure, created_at, headers, payload, status, replay_count, key_redacted";

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final TableNames names;
  private final Clock clock;
  final String deadLetter;
  final String blocked;
  final String parked;
  final String audit;
  final BlockSql blocks;

  private JdbcDeadLetterStore(Builder b) {
    this(
        b.dataSource,
        b.dialect != null ? b.dialect : SqlDialect.detect(b.dataSource),
        b.names,
        b.clock);
  }

  private JdbcDeadLetterStore(
      DataSource dataSource, SqlDialect dialect, TableNames names, Clock clock) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.names = names;
    this.clock = clock;
    this.deadLetter = names.sql(dialect, "dead_letter");
    this.blocked = names.sql(dialect, "dlq_blocked_key");
    this.parked = names.sql(dialect, "dlq_parked");
    this.audit = names.sql(dialect, "dlq_audit");
    this.blocks = new BlockSql(this);
  }

  /**
   * The SQL of the tables a store given to a builder names: its data source, dialect, table names
   * and clock.
   */
  public static JdbcDeadLetterStore over(DeadLetterStore store) {
    return new JdbcDeadLetterStore(
        Objects.requireNonNull(store.dataSource(), "DeadLetterStore.dataSource"),
        Objects.requireNonNull(store.dialect(), "DeadLetterStore.dialect"),
        Objects.requireNonNull(store.tableNames(), "DeadLetterStore.tableNames"),
        Objects.requireNonNull(store.clock(), "DeadLetterStore.clock"));
  }

  @Override
  public void install() {
    SchemaInstaller.builder()
        .dataSource(dataSource)
        .dialect(dialect)
        .tableNames(names)
        .build()
        .install("dlq");
  }

  @Override
  public SqlDialect dialect() {
    return dialect;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public TableNames tableNames() {
    return names;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public List<DeadLetter> find(DeadLetterQuery q) {
    return read(c -> find(c, q, false));
  }

  List<DeadLetter> find(Connection c, DeadLetterQuery q, boolean forUpdate) throws SQLException {
    List<Object> args = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder("SELECT " + COLUMNS + " FROM " + deadLetter + where(q, args));
    sql.append(" ORDER BY id LIMIT ").append(q.limit());
    if (forUpdate) {
      sql.append(dialect.forUpdate());
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        bind(ps, i + 1, args.get(i));
      }
      List<DeadLetter> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(deadLetter(rs));
        }
      }
      return out;
    }
  }

  @Override
  public long count(DeadLetterQuery q) {
    return read(
        c -> {
          List<Object> args = new ArrayList<>();
          String sql = "SELECT COUNT(*) FROM " + deadLetter + where(q, args);
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
              bind(ps, i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  private static String where(DeadLetterQuery q, List<Object> args) {
    List<String> where = new ArrayList<>();
    q.id().ifPresent(v -> add(where, args, "id = ?", v));
    q.topic().ifPresent(v -> add(where, args, "topic = ?", v));
    q.group().ifPresent(v -> add(where, args, "consumer_group = ?", v));
    q.reason().ifPresent(v -> add(where, args, "reason = ?", v.name()));
    q.key().ifPresent(v -> add(where, args, "key_hash = ?", KeyHash.of(v)));
    q.from().ifPresent(v -> add(where, args, "created_at >= ?", v));
    q.to().ifPresent(v -> add(where, args, "created_at < ?", v));
    q.status().ifPresent(v -> add(where, args, "status = ?", v.name()));
    if (q.afterId() > 0) {
      add(where, args, "id > ?", q.afterId());
    }
    return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
  }

  private static void add(List<String> where, List<Object> args, String clause, Object value) {
    where.add(clause);
    args.add(value);
  }

  @Override
  public Optional<DeadLetter> get(long id) {
    return find(DeadLetterQuery.byId(id)).stream().findFirst();
  }

  @Override
  @Deprecated
  public List<ParkedRecord> parked(String group, String topic, String key) {
    List<ParkedRecord> all = parked(group, topic, key, Long.MIN_VALUE, DeadLetterQuery.MAX_LIMIT);
    if (all.size() == DeadLetterQuery.MAX_LIMIT
        && !parked(group, topic, key, all.get(all.size() - 1).id(), 1).isEmpty()) {
      throw new KeelConfigurationException(
          "DeadLetterStore.parked: more than "
              + DeadLetterQuery.MAX_LIMIT
              + " records are parked behind this key of group "
              + Values.quote(group)
              + " on "
              + Values.quote(topic)
              + "; read them a page at a time with parked(group, topic, key, afterId, limit)");
    }
    return all;
  }

  @Override
  public List<ParkedRecord> parked(String group, String topic, String key, int limit) {
    return parked(group, topic, key, Long.MIN_VALUE, limit);
  }

  @Override
  public List<ParkedRecord> parked(
      String group, String topic, String key, long afterId, int limit) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    if (limit < 1 || limit > DeadLetterQuery.MAX_LIMIT) {
      throw new KeelConfigurationException(
          "DeadLetterStore.parked limit must be between 1 and "
              + DeadLetterQuery.MAX_LIMIT
              + ", was "
              + limit);
    }
    BlockSql.Key k = new BlockSql.Key(group, topic, KeyHash.of(key));
    return read(c -> blocks.page(c, k, afterId, limit));
  }

  @Override
  public boolean isBlocked(String group, String topic, byte[] key) {
    if (key == null) {
      return false;
    }
    return read(c -> lockBlocked(c, group, topic, KeyHash.of(key), false));
  }

  boolean lockBlocked(Connection c, String group, String topic, String keyHash, boolean forUpdate)
      throws SQLException {
    String sql =
        "SELECT dead_letter_id FROM "
            + blocked
            + " WHERE consumer_group = ? AND topic = ? AND key_hash = ?"
            + (forUpdate ? dialect.forUpdate() : "");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, group);
      ps.setString(2, topic);
      ps.setString(3, keyHash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public long blockedKeys() {
    return read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + blocked);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public long blockedKeys(String group) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT COUNT(*) FROM " + blocked + " WHERE consumer_group = ?")) {
            ps.setString(1, group);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  @Override
  public List<AuditEntry> audit(int limit) {
    if (limit < 1 || limit > DeadLetterQuery.MAX_LIMIT) {
      throw new KeelConfigurationException(
          "DeadLetterStore.audit limit must be between 1 and 10000, was " + limit);
    }
    return read(
        c -> {
          String sql =
              "SELECT id, at, actor, action, selection, target, records, parked_records, outcome FROM "
                  + audit
                  + " ORDER BY id DESC LIMIT "
                  + limit;
          List<AuditEntry> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new AuditEntry(
                      rs.getLong(1),
                      instant(rs, 2),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(6),
                      rs.getInt(7),
                      rs.getInt(8),
                      rs.getString(9)));
            }
          }
          return out;
        });
  }

  // ---- writes used by the publisher and the operator API ----

  /**
   * A stored dead letter, whether this call created it, and whether its copy in {@code <topic>.dlq}
   * was already recorded.
   */
  record Stored(DeadLetter letter, boolean created, boolean sent) {}

  /**
   * Stores a dead letter once per record and group and, when asked, blocks its key. A second
   * publish of the same record (same event id, or same key and payload when it has none) finds the
   * row stored before; a different record claiming the same source position (forged or unusable
   * retry-tier headers) gets a row of its own instead of being merged into the other's.
   *
   * <p>The key is stored as given (redacted or not) while the key's identity ({@code key_hash}, by
   * which it is blocked and found) is the original key's hash. Keys and headers that are not valid
   * UTF-8 without U+0000 are stored as base64 (see {@link HeadersJson}, {@link StoredText#key}).
   * Should the database still refuse the row as data (SQLState class 22), it is stored once more
   * with every header and the key text as base64 and without exception message and stack trace,
   * rather than failing the record forever.
   */
  Stored insert(NewDeadLetter d, boolean blockKey) {
    try {
      return insert(d, blockKey, false);
    } catch (NonRetriableKeelException e) {
      if (!isDataException(e)) {
        throw e;
      }
      return insert(d, blockKey, true);
    }
  }

  private Stored insert(NewDeadLetter d, boolean blockKey, boolean allBase64) {
    return write(
        c -> {
          Long id = null;
          int variant = 0;
          boolean sent = false;
          for (Existing e : existing(c, d)) {
            if (e.sameRecord(d)) {
              id = e.id;
              sent = e.sent;
              break;
            }
            variant = Math.max(variant, e.variant + 1);
          }
          boolean created = id == null;
          if (created) {
            id = insertRow(c, d, variant, allBase64);
          }
          if (blockKey && d.keyHash() != null) {
            String hash = d.keyHash();
            if (lockBlocked(c, d.group(), d.topic(), hash, true)) {
              if (created) {
                // a new dead letter of a key being released: its release stops where it is
                blocks.halt(c, new BlockSql.Key(d.group(), d.topic(), hash));
              }
            } else {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO "
                          + blocked
                          + " (consumer_group, topic, key_hash, record_key, dead_letter_id,"
                          + " blocked_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, d.group());
                ps.setString(2, d.topic());
                ps.setString(3, hash);
                // the key as stored (redacted or not); the column holds no null
                ps.setBytes(4, d.key() == null ? new byte[0] : d.key());
                ps.setLong(5, id);
                bind(ps, 6, d.createdAt());
                ps.executeUpdate();
              }
            }
          }
          return new Stored(find(c, DeadLetterQuery.byId(id), false).get(0), created, sent);
        });
  }

  /**
   * Records where a dead letter's copy landed in {@code <topic>.dlq}, unless a copy was recorded
   * before; true when this call recorded it.
   */
  boolean recordSent(long id, String topic, int partition, long offset) {
    return write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + deadLetter
                      + " SET dlq_topic = ?, dlq_partition = ?, dlq_offset = ?"
                      + " WHERE id = ? AND dlq_offset IS NULL")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, offset);
            ps.setLong(4, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  /** A row already stored for the same group and source position. */
  private record Existing(
      long id, int variant, String eventId, String keyHash, byte[] payload, boolean sent) {
    /**
     * The same record again: the same event id, or without one the same original key (its hash: a
     * redacted key may differ between publishes) and payload.
     */
    boolean sameRecord(NewDeadLetter d) {
      if (eventId != null || d.eventId() != null) {
        return Objects.equals(eventId, d.eventId());
      }
      return Objects.equals(keyHash, d.keyHash()) && Arrays.equals(payload, d.payload());
    }
  }

  private List<Existing> existing(Connection c, NewDeadLetter d) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, variant, event_id, key_hash, payload, dlq_offset FROM "
                + deadLetter
                + " WHERE consumer_group = ? AND topic = ? AND kafka_partition = ?"
                + " AND kafka_offset = ? ORDER BY variant")) {
      ps.setString(1, d.group());
      ps.setString(2, d.topic());
      ps.setInt(3, d.partition());
      ps.setLong(4, d.offset());
      List<Existing> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Existing(
                  rs.getLong(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getBytes(5),
                  rs.getObject(6) != null));
        }
      }
      return out;
    }
  }

  private long insertRow(Connection c, NewDeadLetter d, int variant, boolean allBase64)
      throws SQLException {
    String sql =
        "INSERT INTO "
            + deadLetter
            + " (consumer_group, topic, kafka_partition, kafka_offset, record_key, key_hash,"
            + " key_text, event_id, reason, exception_class, exception_message, stack_trace,"
            + " attempts, first_failure, last_failure, created_at, headers, payload, dlq_topic,"
            + " dlq_partition, dlq_offset, status, replay_count, variant, key_redacted) VALUES (?,"
            + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + jsonParameter()
            + ", ?, ?, ?, ?, 'DEAD', 0, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql, new String[] {"id"})) {
      int i = 1;
      ps.setString(i++, d.group());
      ps.setString(i++, d.topic());
      ps.setInt(i++, d.partition());
      ps.setLong(i++, d.offset());
      ps.setBytes(i++, d.key());
      ps.setString(i++, d.keyHash());
      ps.setString(
          i++,
          d.key() == null
              ? null
              : allBase64
                  ? StoredText.BASE64_PREFIX + Base64.getEncoder().encodeToString(d.key())
                  : StoredText.key(d.key()));
      ps.setString(i++, d.eventId());
      ps.setString(i++, d.reason().name());
      ps.setString(i++, d.exceptionClass());
      ps.setString(i++, allBase64 ? null : StoredText.clean(d.exceptionMessage()));
      ps.setString(i++, allBase64 ? null : StoredText.clean(d.stackTrace()));
      ps.setInt(i++, d.attempts());
      bind(ps, i++, d.firstFailure());
      bind(ps, i++, d.lastFailure());
      bind(ps, i++, d.createdAt());
      ps.setString(i++, HeadersJson.encode(d.headers(), allBase64));
      ps.setBytes(i++, d.payload());
      ps.setString(i++, d.dlqTopic());
      bind(ps, i++, d.dlqPartition());
      bind(ps, i++, d.dlqOffset());
      ps.setInt(i++, variant);
      ps.setBoolean(i++, d.keyRedacted());
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /**
   * Parks the record when its key is blocked, atomically with the check, unless a replay sent it
   * while releasing the key ({@link ReleaseMark} with the key's current token): then it is
   * processed as sent, or, when a new dead letter of the key stopped that release, parked again in
   * its own place. Headers are stored as {@link HeadersJson} does; should the database still refuse
   * them as data (SQLState class 22), every header is stored as base64.
   */
  boolean parkIfBlocked(String group, FailedRecord r) {
    try {
      return parkIfBlocked(group, r, false);
    } catch (NonRetriableKeelException e) {
      if (!isDataException(e)) {
        throw e;
      }
      return parkIfBlocked(group, r, true);
    }
  }

  private boolean parkIfBlocked(String group, FailedRecord r, boolean allBase64) {
    byte[] key = r.key();
    if (key == null) {
      return false;
    }
    BlockSql.Key k = new BlockSql.Key(group, r.topic(), KeyHash.of(key));
    ReleaseMark mark = ReleaseMark.of(r);
    return write(
        c -> {
          BlockSql.Block block = blocks.lock(c, k);
          if (block == null) {
            return false;
          }
          if (parkedAt(c, group, r)) {
            return true; // parked before (redelivery after a crash)
          }
          if (mark != null && mark.token().equals(block.token())) {
            if (!block.halted()) {
              return false; // sent by the key's release: processed in the order it was sent
            }
            // sent by a release that a new dead letter of the key stopped: held again in its place
            Long place = place(c, k, block, mark);
            if (place != null) {
              BlockSql.Key there = blocks.parkedKey(c, place);
              if (there == null) {
                insertParked(c, group, r, k.hash(), place, allBase64);
                return true;
              }
              if (there.equals(k)) {
                return true; // still parked: the release stopped before removing it
              }
            }
          }
          insertParked(c, group, r, k.hash(), null, allBase64);
          return true;
        });
  }

  /**
   * The identity of a dead letter's key: the hash of the record's original key (also when the
   * stored key is redacted), or null for an unkeyed record.
   */
  String keyHash(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT key_hash FROM " + deadLetter + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * Where a record sent by a halted release goes back to: a parked record's own id, a dead letter's
   * id offset below every parked id; null when the mark does not name a record of this key the
   * release sent.
   */
  private Long place(Connection c, BlockSql.Key k, BlockSql.Block block, ReleaseMark mark)
      throws SQLException {
    if (mark.deadLetter()) {
      return k.equals(blocks.deadLetterKey(c, mark.id())) ? mark.id() - DEAD_LETTER_PLACES : null;
    }
    return mark.id() <= block.sentThrough() ? mark.id() : null;
  }

  private boolean parkedAt(Connection c, String group, FailedRecord r) throws SQLException {
    try (PreparedStatement check =
        c.prepareStatement(
            "SELECT id FROM "
                + parked
                + " WHERE consumer_group = ? AND topic = ? AND kafka_partition = ?"
                + " AND kafka_offset = ?")) {
      check.setString(1, group);
      check.setString(2, r.topic());
      check.setInt(3, r.partition());
      check.setLong(4, r.offset());
      try (ResultSet rs = check.executeQuery()) {
        return rs.next();
      }
    }
  }

  private void insertParked(
      Connection c, String group, FailedRecord r, String hash, Long id, boolean allBase64)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + parked
                + " ("
                + (id == null ? "" : "id, ")
                + "consumer_group, topic, key_hash, kafka_partition, kafka_offset,"
                + " record_key, headers, payload, parked_at) VALUES ("
                + (id == null ? "" : "?, ")
                + "?, ?, ?, ?, ?, ?, "
                + jsonParameter()
                + ", ?, ?)")) {
      int i = 1;
      if (id != null) {
        ps.setLong(i++, id);
      }
      ps.setString(i++, group);
      ps.setString(i++, r.topic());
      ps.setString(i++, hash);
      ps.setInt(i++, r.partition());
      ps.setLong(i++, r.offset());
      ps.setBytes(i++, r.key());
      ps.setString(i++, HeadersJson.encode(r.headers(), allBase64));
      ps.setBytes(i++, r.value());
      bind(ps, i, clock.instant());
      ps.executeUpdate();
    }
  }

  void resolve(Connection c, long id, DeadLetterStatus status, String actor, Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + deadLetter
                + " SET status = ?, resolved_at = ?, resolved_by = ?, replay_count ="
                + " replay_count + ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?")) {
      ps.setString(1, status.name());
      bind(ps, 2, at);
      ps.setString(3, actor);
      ps.setInt(4, status == DeadLetterStatus.REPLAYED ? 1 : 0);
      ps.setLong(5, id);
      ps.executeUpdate();
    }
  }

  int countDead(Connection c, String group, String topic, String keyHash) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM "
                + deadLetter
                + " WHERE consumer_group = ? AND topic = ? AND key_hash = ? AND status = 'DEAD'")) {
      ps.setString(1, group);
      ps.setString(2, topic);
      ps.setString(3, keyHash);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Removes a key's parked records and its block. */
  void unblock(Connection c, String group, String topic, String keyHash) throws SQLException {
    for (String table : new String[] {parked, blocked}) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM "
                  + table
                  + " WHERE consumer_group = ? AND topic = ? AND key_hash = ?")) {
        ps.setString(1, group);
        ps.setString(2, topic);
        ps.setString(3, keyHash);
        ps.executeUpdate();
      }
    }
  }

  long insertAudit(
      Connection c,
      Instant at,
      String actor,
      String action,
      String selection,
      String target,
      int records,
      int parkedRecords,
      String outcome)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + audit
                + " (at, actor, action, selection, target, records, parked_records, outcome)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            new String[] {"id"})) {
      bind(ps, 1, at);
      ps.setString(2, actor);
      ps.setString(3, action);
      ps.setString(4, selection);
      ps.setString(5, target);
      ps.setInt(6, records);
      ps.setInt(7, parkedRecords);
      ps.setString(8, outcome);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  // ---- plumbing ----

  private String jsonParameter() {
    return dialect.jsonParameter();
  }

  private DeadLetter deadLetter(ResultSet rs) throws SQLException {
    return new DeadLetter(
        rs.getLong("id"),
        rs.getString("consumer_group"),
        rs.getString("topic"),
        rs.getInt("kafka_partition"),
        rs.getLong("kafka_offset"),
        rs.getBytes("record_key"),
        rs.getString("event_id"),
        FailureClass.valueOf(rs.getString("reason")),
        rs.getString("exception_class"),
        rs.getString("exception_message"),
        rs.getString("stack_trace"),
        rs.getInt("attempts"),
        instant(rs, "first_failure"),
        instant(rs, "last_failure"),
        instant(rs, "created_at"),
        HeadersJson.decode(rs.getString("headers")),
        rs.getBytes("payload"),
        DeadLetterStatus.valueOf(rs.getString("status")),
        rs.getInt("replay_count"),
        rs.getBoolean("key_redacted"));
  }

  void bind(PreparedStatement ps, int i, Object v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.NULL);
    } else if (v instanceof Instant) {
      dialect.setInstant(ps, i, (Instant) v);
    } else {
      ps.setObject(i, v);
    }
  }

  private Instant instant(ResultSet rs, String column) throws SQLException {
    return instant(rs, rs.findColumn(column));
  }

  Instant instant(ResultSet rs, int column) throws SQLException {
    return dialect.getInstant(rs, column);
  }

  /** Work on a connection inside a transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  <T> T write(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return dev.keel.event.support.Transactions.run(c, work::run);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * A database failure: permanent when the database refused the data itself (SQLState class 22,
   * such as U+0000 in text), so that nobody retries the same write without end; otherwise
   * retriable.
   */
  private KeelException failed(SQLException e) {
    String message =
        "Dead-letter store (" + dialect + ", " + names + ") failed: SQLState " + e.getSQLState();
    if (SqlStates.isDataException(e.getSQLState())) {
      return new NonRetriableKeelException(FailureClass.VALIDATION, message, e);
    }
    return new RetriableKeelException(message, e);
  }

  private static boolean isDataException(KeelException e) {
    return e.getCause() instanceof SQLException sql && SqlStates.isDataException(sql.getSQLState());
  }

  @Override
  public String toString() {
    return "DeadLetterStore{" + dialect + ", " + names + "}";
  }

  /** The builder. */
  public static final class Builder implements DeadLetterStore.Builder {
    private DataSource dataSource;
    private SqlDialect dialect;
    private TableNames names = TableNames.defaults();
    private Clock clock = Clock.systemUTC();

    @Override
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    @Override
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    @Override
    public Builder tableNames(TableNames tableNames) {
      this.names = Objects.requireNonNull(tableNames, "DeadLetterStore.tableNames");
      return this;
    }

    @Override
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "DeadLetterStore.clock");
      return this;
    }

    @Override
    public DeadLetterStore build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("DeadLetterStore.dataSource is required");
      }
      return new JdbcDeadLetterStore(this);
    }
  }
}
