package dev.keel.outbox.internal;

import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;

/**
 * The outbox's SQL for one dialect and set of table names, rendered once. Table names are validated
 * by {@link TableNames} and quoted; every value is a bind parameter.
 */
public final class OutboxSql {
  private static final String COLUMNS =
      "lane, event_id, topic, event_key, event_type, contract_version, headers, payload, created_at";

  final SqlDialect dialect;
  final String outbox;
  final String lease;
  final String member;
  final String quarantine;
  final String published;
  final String notifyChannel;
  private final String outboxSequence;
  private final String insert;

  /**
   * @param dialect the database
   * @param names where the tables live
   */
  public OutboxSql(SqlDialect dialect, TableNames names) {
    this.dialect = dialect;
    this.outbox = names.sql(dialect, "outbox");
    this.lease = names.sql(dialect, "outbox_lease");
    this.member = names.sql(dialect, "outbox_member");
    this.quarantine = names.sql(dialect, "outbox_quarantine");
    this.published = names.sql(dialect, "outbox_published");
    this.outboxSequence = names.sql(dialect, "outbox_id_seq");
    this.notifyChannel = names.name("outbox");
    this.insert = renderInsert();
  }

  boolean postgres() {
    return dialect == SqlDialect.POSTGRES;
  }

  String now() {
    switch (dialect) {
      case POSTGRES:
        return "clock_timestamp()";
      case H2:
        return "CURRENT_TIMESTAMP";
      default:
        return "CURRENT_TIMESTAMP(6)";
    }
  }

  /** An expression for now plus a bound number of milliseconds. */
  String nowPlusMillis() {
    switch (dialect) {
      case POSTGRES:
        return "clock_timestamp() + (? * interval '1 millisecond')";
      case H2:
        return "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)";
      default:
        return "TIMESTAMPADD(MICROSECOND, ? * 1000, CURRENT_TIMESTAMP(6))";
    }
  }

  /**
   * Parameters: lane, event id, topic, key, type, contract version, headers, payload.
   *
   * <p>PostgreSQL: the id is taken only after the transaction has its transaction id (the {@code
   * CASE} assigns it first; column defaults would take the id first), which {@link XidHorizon}
   * relies on: a transaction holding a row id below a published row has a transaction id older than
   * any sampled after that publish.
   *
   * <p>Rendered once: the same string each call, so the driver's statement cache finds it without
   * rebuilding it.
   */
  String insert() {
    return insert;
  }

  private String renderInsert() {
    if (postgres()) {
      return "INSERT INTO "
          + outbox
          + " (id, lane, event_id, topic, event_key, event_type, contract_version, headers, payload)"
          + " VALUES ("
          + idAfterXid()
          + ", ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)";
    }
    return "INSERT INTO "
        + outbox
        + " (lane, event_id, topic, event_key, event_type, contract_version, headers, payload)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * PostgreSQL: the next outbox id, taken after the transaction id. The sequence is the one the
   * shipped schema's {@code bigserial} creates, looked up by name (a cache hit), else the id
   * column's own (a catalog scan per row).
   */
  private String idAfterXid() {
    return "CASE WHEN pg_current_xact_id() IS NULL THEN NULL ELSE nextval(" + sequence() + ") END";
  }

  /**
   * Rows of a lane after an id, in id order, each with a flag saying whether the commit-order fence
   * lets it go (always true but on PostgreSQL). Parameters: lane, after-id, limit.
   */
  String claim() {
    String safe;
    switch (dialect) {
      case POSTGRES:
        // Only rows of transactions older than every transaction still in flight.
        safe = "tx_id < pg_snapshot_xmin(pg_current_snapshot())";
        break;
      case H2:
        safe = "TRUE";
        break;
      default:
        // No transaction snapshots: rows of open transactions are found apart (see InnoDbFence).
        safe = "TRUE";
        break;
    }
    String headers = postgres() ? "headers::text" : "headers";
    return "SELECT id, event_id, topic, event_key, event_type, contract_version, "
        + headers
        + ", payload, created_at, attempts, "
        + safe
        + " AS safe FROM "
        + outbox
        + " WHERE lane = ? AND id > ? ORDER BY id LIMIT ?";
  }

  /**
   * PostgreSQL: the next rows of several lanes in one statement, lane after lane in the order the
   * lanes are given (their ordinal), then id, each with its fence flag and its lane's ordinal.
   * Parameters: lanes (int[]), after-ids (bigint[]), limit per lane.
   *
   * <p>The lane's rows are found by a row comparison on {@code (lane, id)}: written as {@code lane
   * = ? AND id > ? ORDER BY id}, the planner scans the primary key in id order and filters the lane
   * (it reads every lane's rows to return one lane's), as ids of the lanes interleave. The xmin is
   * the statement's snapshot's: the same for every row.
   */
  String claimLanes() {
    return "SELECT x.lane, x.id, x.event_id, x.topic, x.event_key, x.event_type, x.contract_version,"
        + " x.headers, x.payload, x.created_at, x.attempts, x.tx_id < s.xmin AS safe, l.ord"
        + " FROM unnest(?::int4[], ?::int8[]) WITH ORDINALITY AS l(lane, after_id, ord)"
        + " CROSS JOIN LATERAL (SELECT o.lane, o.id, o.event_id, o.topic, o.event_key, o.event_type,"
        + " o.contract_version, o.headers::text AS headers, o.payload, o.created_at, o.attempts,"
        + " o.tx_id FROM "
        + outbox
        + " o WHERE (o.lane, o.id) > (l.lane, l.after_id) AND o.lane <= l.lane"
        + " ORDER BY o.lane, o.id LIMIT ?) x"
        + " CROSS JOIN (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s";
  }

  /**
   * {@link #claimLanes()} within a byte budget, in pass order (the order the lanes are given, then
   * id): every row claimLanes reads, with a 13th column saying whether it is within the budget (the
   * running payload total stays within it, or it is the pass's first row); rows past it come
   * without their payload, so that the claim still learns the lowest id of each lane it read.
   * Parameters: those of {@link #claimLanes()}, then the budget.
   */
  String claimLanesWithin() {
    return "SELECT b.lane, b.id, b.event_id, b.topic, b.event_key, b.event_type, b.contract_version,"
        + " b.headers, CASE WHEN b.within THEN b.payload END AS payload, b.created_at, b.attempts,"
        + " b.safe, b.within FROM (SELECT q.*, (SUM(octet_length(q.payload)) OVER w <= p.budget"
        + " OR ROW_NUMBER() OVER w = 1) AS within FROM ("
        + claimLanes()
        + ") q CROSS JOIN (SELECT ?::int8 AS budget) p"
        + " WINDOW w AS (ORDER BY q.ord, q.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) b"
        + " ORDER BY b.ord, b.id";
  }

  /**
   * PostgreSQL: the next rows of several lanes in one scan of the primary key, in id order across
   * the lanes, with the 13 columns of {@link #claimLanesWithin()} (lane, the row, its fence flag,
   * whether it is within the budget: the running payload total in id order stays within it, or it
   * is the first row of a pass that is still empty). Parameters: after-id (the lowest safe id of
   * the lanes), lanes (int[]), limit, budget, whether the pass is empty.
   *
   * <p>The planner reads the primary key from the after-id and filters the lanes: the pages hold
   * rows of every lane, so a worker that serves a fair share of the lanes reads each page once
   * instead of once per lane (see LaneWorker for when it is used).
   */
  String claimInIdOrder() {
    return "SELECT b.lane, b.id, b.event_id, b.topic, b.event_key, b.event_type, b.contract_version,"
        + " b.headers, CASE WHEN b.within THEN b.payload END AS payload, b.created_at, b.attempts,"
        + " b.safe, b.within FROM (SELECT q.*, (SUM(octet_length(q.payload)) OVER w <= p.budget"
        + " OR (p.alone AND ROW_NUMBER() OVER w = 1)) AS within FROM (SELECT o.lane, o.id,"
        + " o.event_id, o.topic, o.event_key, o.event_type, o.contract_version,"
        + " o.headers::text AS headers, o.payload, o.created_at, o.attempts, o.tx_id < s.xmin AS"
        + " safe FROM "
        + outbox
        + " o CROSS JOIN (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s"
        + " WHERE o.id > ? AND o.lane = ANY(?::int4[]) ORDER BY o.id LIMIT ?) q"
        + " CROSS JOIN (SELECT ?::int8 AS budget, ?::boolean AS alone) p"
        + " WINDOW w AS (ORDER BY q.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) b"
        + " ORDER BY b.id";
  }

  /**
   * {@link #claim()} within a byte budget: every row claim reads, in id order, with a 12th column
   * (1 or 0) saying whether it is within the budget (the running payload total stays within it, or
   * it is the first row and the pass is still empty); rows past it come without their payload.
   * Parameters: those of {@link #claim()}, then budget, and 1 if the pass is empty (else 0).
   */
  String claimWithin() {
    String cast =
        postgres()
            ? "?::int8"
            : dialect == SqlDialect.H2 ? "CAST(? AS BIGINT)" : "CAST(? AS SIGNED)";
    // The window functions stand alone in their own level: MariaDB does not evaluate them inside a
    // CASE expression (it reads them as not yet computed).
    return "SELECT b.id, b.event_id, b.topic, b.event_key, b.event_type, b.contract_version,"
        + " b.headers, CASE WHEN b.within = 1 THEN b.payload END AS payload, "
        // created_at as an exact instant whatever the session's zone (read by getStampedInstant)
        + dialect.selectStampedInstant("b.created_at")
        + " AS created_at, b.attempts, b.safe, b.within FROM (SELECT w.*, CASE WHEN w.running <="
        + " w.budget"
        + " OR (w.alone = 1 AND w.rn = 1) THEN 1 ELSE 0 END AS within FROM (SELECT q.*,"
        + " SUM(OCTET_LENGTH(q.payload)) OVER (ORDER BY q.id ROWS BETWEEN UNBOUNDED PRECEDING"
        + " AND CURRENT ROW) AS running, ROW_NUMBER() OVER (ORDER BY q.id) AS rn, p.budget,"
        + " p.alone FROM ("
        + claim()
        + ") q CROSS JOIN (SELECT "
        + cast
        + " AS budget, "
        + cast
        + " AS alone) p) w) b ORDER BY b.id";
  }

  /**
   * PostgreSQL, cursor claims: the next rows of several lanes after an id and up to the fence, in
   * id order, without row locks. Parameters: after-id, fence id, lanes (int[]), limit.
   */
  String cursorClaim() {
    return "SELECT o.lane, o.id, o.event_id, o.topic, o.event_key, o.event_type,"
        + " o.contract_version, o.headers::text, o.payload, o.created_at, o.attempts FROM "
        + outbox
        + " o WHERE o.id > ? AND o.id <= ? AND o.lane = ANY(?::int4[]) ORDER BY o.id LIMIT ?";
  }

  /**
   * PostgreSQL, cursor claims: one lane's next rows after its cursor and up to the fence, through
   * the (lane, id) index, with the columns of {@link #cursorClaim()}. Parameters: lane, after-id,
   * fence id, limit.
   */
  String cursorClaimLane() {
    return "SELECT o.lane, o.id, o.event_id, o.topic, o.event_key, o.event_type,"
        + " o.contract_version, o.headers::text, o.payload, o.created_at, o.attempts FROM "
        + outbox
        + " o WHERE o.lane = ? AND o.id > ? AND o.id <= ? ORDER BY o.id LIMIT ?";
  }

  /**
   * PostgreSQL, cursor claims: moves lanes' cursors forward, each fenced by its epoch; returns the
   * lanes moved. Parameters: lanes (int[]), cursors (bigint[]), epochs (bigint[]), owner.
   */
  String moveCursors() {
    return "UPDATE "
        + lease
        + " l SET published_to = GREATEST(l.published_to, v.cursor)"
        + " FROM unnest(?::int4[], ?::int8[], ?::int8[]) AS v(lane, cursor, epoch)"
        + " WHERE l.lane = v.lane AND l.owner = ? AND l.epoch = v.epoch RETURNING l.lane";
  }

  /** PostgreSQL, cursor claims: a lane's persisted cursor. Parameters: lane, owner, epoch. */
  String cursorOf() {
    return "SELECT published_to FROM " + lease + " WHERE lane = ? AND owner = ? AND epoch = ?";
  }

  /**
   * PostgreSQL, cursor claims: removes (or moves to the published table) rows of a lane up to its
   * persisted cursor. Parameters: lane, from-id (exclusive), cursor.
   */
  String cleanUpTo(boolean mark) {
    return cleanUp(" WHERE lane = ? AND id > ? AND id <= ?", mark);
  }

  /**
   * PostgreSQL, cursor claims: removes (or moves) the rows of several lanes in an id range below
   * all their cursors, in one pass over the primary key (each page once, not once per lane).
   * Parameters: from-id (exclusive), to-id, lanes (int[]).
   */
  String cleanUpRange(boolean mark) {
    return cleanUp(" WHERE id > ? AND id <= ? AND lane = ANY(?::int4[])", mark);
  }

  /**
   * PostgreSQL: deletes the outbox rows {@code where} selects, or with {@code mark} moves them to
   * the published table in the same statement (a row already there stays the one).
   */
  private String cleanUp(String where, boolean mark) {
    if (!mark) {
      return "DELETE FROM " + outbox + where;
    }
    return "WITH moved AS (DELETE FROM "
        + outbox
        + where
        + " RETURNING id, "
        + COLUMNS
        + ") INSERT INTO "
        + published
        + " (id, "
        + COLUMNS
        + ") SELECT id, "
        + COLUMNS
        + " FROM moved ON CONFLICT (id) DO NOTHING";
  }

  /**
   * PostgreSQL, cursor claims: copies a row to the quarantine under the lane's epoch, leaving it in
   * the outbox behind the cursor; a copy made before (by an earlier owner) stays the one.
   * Parameters: error, id, lane, owner, epoch.
   */
  String quarantineCopy() {
    return quarantine() + " ON CONFLICT (event_id) DO NOTHING";
  }

  /** PostgreSQL: whether an event is in the quarantine. Parameter: event id. */
  String isQuarantined() {
    return "SELECT 1 FROM " + quarantine + " WHERE event_id = ?";
  }

  /**
   * PostgreSQL: the outbox sequence's last value (0 before its first use): every id handed out so
   * far is at most this (with a sequence cache of 1, see {@link #sequenceCache()}).
   */
  String sequenceLastValue() {
    return "SELECT COALESCE(pg_sequence_last_value(" + sequence() + "), 0)";
  }

  /**
   * PostgreSQL: the outbox sequence's cache size, and whether this user may read its last value
   * ({@code pg_sequence_last_value} gives NULL otherwise).
   */
  String sequenceCache() {
    return "SELECT seqcache, has_sequence_privilege(seqrelid, 'SELECT')"
        + " OR has_sequence_privilege(seqrelid, 'USAGE') FROM pg_sequence WHERE seqrelid = "
        + sequence();
  }

  private String sequence() {
    return "COALESCE(to_regclass('"
        + outboxSequence.replace("'", "''")
        + "'), pg_get_serial_sequence('"
        + outbox.replace("'", "''")
        + "', 'id')::regclass)";
  }

  String leaseCheck() {
    return "EXISTS (SELECT 1 FROM "
        + lease
        + " l WHERE l.lane = ? AND l.owner = ? AND l.epoch = ?)";
  }

  /** Parameters: lane, ids (array on PostgreSQL, else n placeholders), lane, owner, epoch. */
  String delete(int n) {
    return "DELETE FROM " + outbox + " WHERE lane = ? AND " + idIn(n) + " AND " + leaseCheck();
  }

  /** Moves published rows to the published table (PostgreSQL: one statement). */
  String markPublished(int n) {
    if (postgres()) {
      return cleanUp(" WHERE lane = ? AND " + idIn(n) + " AND " + leaseCheck(), true);
    }
    // MySQL: a row moved before (by an older version that could copy without deleting) stays one.
    return "INSERT INTO "
        + published
        + " (id, "
        + COLUMNS
        + ") SELECT id, "
        + COLUMNS
        + " FROM "
        + outbox
        + " WHERE lane = ? AND "
        + idIn(n)
        + " AND "
        + leaseCheck()
        + (dialect.isMySqlFamily() ? " ON DUPLICATE KEY UPDATE published_at = published_at" : "");
  }

  private String idIn(int n) {
    if (postgres()) {
      return "id = ANY(?)";
    }
    StringBuilder b = new StringBuilder("id IN (");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "?" : ", ?");
    }
    return b.append(')').toString();
  }

  /** Parameters: error, id, lane, owner, epoch. */
  String quarantine() {
    return "INSERT INTO "
        + quarantine
        + " (event_id, original_id, lane, topic, event_key, event_type,"
        + " contract_version, headers, payload, created_at, attempts, error)"
        + " SELECT event_id, id, lane, topic, event_key, event_type, contract_version, headers, payload,"
        + " created_at, attempts + 1, ? FROM "
        + outbox
        + " WHERE id = ? AND "
        + leaseCheck();
  }

  String deleteOne() {
    return "DELETE FROM " + outbox + " WHERE id = ?";
  }

  /** Parameters: error, id. */
  String recordAttempt() {
    return "UPDATE " + outbox + " SET attempts = attempts + 1, last_error = ? WHERE id = ?";
  }

  /** MySQL/MariaDB: the ids of a lane's next rows. Parameters: lane, after-id, limit. */
  String claimIds() {
    return "SELECT id FROM " + outbox + " WHERE lane = ? AND id > ? ORDER BY id LIMIT ?";
  }

  /** MySQL/MariaDB, markPublished: locks a lane's lease row while it is ours. */
  String lockLease() {
    return "SELECT epoch FROM " + lease + " WHERE lane = ? AND owner = ? AND epoch = ? FOR UPDATE";
  }

  /**
   * PostgreSQL: a fresh transaction id (an upper bound of every id assigned so far) and the xmin.
   */
  String horizon() {
    return "SELECT pg_current_xact_id()::text, pg_snapshot_xmin(pg_current_snapshot())::text";
  }

  String insertLease() {
    return "INSERT INTO " + lease + " (lane, epoch) VALUES (?, 0)";
  }

  String leases() {
    return "SELECT lane, owner, epoch, CASE WHEN expires_at > "
        + now()
        + " THEN 1 ELSE 0 END, stopped FROM "
        + lease
        + " ORDER BY lane";
  }

  /** Parameters: owner, millis, lane, owner. */
  String acquire() {
    return "UPDATE "
        + lease
        + " SET owner = ?, epoch = epoch + 1, expires_at = "
        + nowPlusMillis()
        + " WHERE lane = ? AND (owner IS NULL OR expires_at IS NULL OR expires_at <= "
        + now()
        + " OR owner = ?)";
  }

  String epochOf() {
    return "SELECT epoch FROM " + lease + " WHERE lane = ? AND owner = ?";
  }

  /** Parameters: millis, lane, owner, epoch. */
  String renew() {
    return "UPDATE "
        + lease
        + " SET expires_at = "
        + nowPlusMillis()
        + " WHERE lane = ? AND owner = ? AND epoch = ?";
  }

  /** Parameters: lane, owner, epoch. */
  String release() {
    return "UPDATE "
        + lease
        + " SET owner = NULL, expires_at = NULL WHERE lane = ? AND owner = ? AND epoch = ?";
  }

  /** Parameters: reason, lane. */
  String stopLane() {
    return "UPDATE " + lease + " SET stopped = ? WHERE lane = ?";
  }

  /** Parameters: owner, lanes, millis. */
  String heartbeat() {
    switch (dialect) {
      case POSTGRES:
        return "INSERT INTO "
            + member
            + " (owner, lanes, expires_at) VALUES (?, ?, "
            + nowPlusMillis()
            + ")"
            + " ON CONFLICT (owner) DO UPDATE SET lanes = EXCLUDED.lanes, expires_at = EXCLUDED.expires_at";
      case H2:
        return "MERGE INTO "
            + member
            + " (owner, lanes, expires_at) KEY (owner) VALUES (?, ?, "
            + nowPlusMillis()
            + ")";
      default:
        return "INSERT INTO "
            + member
            + " (owner, lanes, expires_at) VALUES (?, ?, "
            + nowPlusMillis()
            + ")"
            + " ON DUPLICATE KEY UPDATE lanes = VALUES(lanes), expires_at = VALUES(expires_at)";
    }
  }

  String liveMembers() {
    return "SELECT owner, lanes FROM "
        + member
        + " WHERE expires_at > "
        + now()
        + " ORDER BY owner";
  }

  String leaveMembers() {
    return "DELETE FROM " + member + " WHERE owner = ? OR expires_at < " + now();
  }

  /**
   * The number of waiting rows and the oldest one's age in microseconds, measured against the
   * database's clock that stamped {@code created_at} (NULL when empty).
   */
  String stats() {
    return "SELECT COUNT(*), " + dialect.oldestAgeMicros("created_at") + " FROM " + outbox;
  }

  /**
   * PostgreSQL, cursor claims: {@link #stats()} over the rows above their lane's cursor (the
   * published rows the cleanup has not deleted yet left out).
   */
  String statsAboveCursors() {
    return "SELECT COUNT(*), "
        + dialect.oldestAgeMicros("o.created_at")
        + " FROM "
        + outbox
        + " o JOIN "
        + lease
        + " l ON l.lane = o.lane WHERE o.id > l.published_to";
  }

  String quarantineCount() {
    return "SELECT COUNT(*) FROM " + quarantine;
  }

  /** Parameter: the cutoff instant, bound with {@link SqlDialect#setStampedInstant}. */
  String purgePublished() {
    String cutoff = dialect.stampedInstantParameter();
    if (postgres()) {
      return "DELETE FROM "
          + published
          + " WHERE id IN (SELECT id FROM "
          + published
          + " WHERE published_at < "
          + cutoff
          + " LIMIT 1000)";
    }
    return "DELETE FROM " + published + " WHERE published_at < " + cutoff + " LIMIT 1000";
  }

  String listQuarantine() {
    String headers = postgres() ? "headers::text" : "headers";
    return "SELECT event_id, original_id, lane, topic, event_key, event_type, contract_version, "
        + headers
        + ", payload, "
        + dialect.selectStampedInstant("created_at")
        + ", attempts, error, "
        + dialect.selectStampedInstant("quarantined_at")
        + " FROM "
        + quarantine
        + " ORDER BY quarantined_at, original_id LIMIT ?";
  }

  /** Moves a quarantined row back to the outbox, at the end of its lane. Parameter: event id. */
  String requeue() {
    String id = postgres() ? "id, " : "";
    return "INSERT INTO "
        + outbox
        + " ("
        + id
        + COLUMNS.replace(", created_at", "")
        + ") SELECT "
        + (postgres() ? idAfterXid() + ", " : "")
        + "lane, event_id, topic,"
        + " event_key, event_type, contract_version, headers, payload FROM "
        + quarantine
        + " WHERE event_id = ?";
  }

  /**
   * PostgreSQL: deletes a quarantined event's original row, which cursor claims leave in the outbox
   * behind the cursor until the cleanup, so that the event can be requeued. Parameter: event id.
   */
  String deleteQuarantinedOriginal() {
    return "DELETE FROM "
        + outbox
        + " o USING "
        + quarantine
        + " q WHERE q.event_id = ? AND o.id = q.original_id AND o.event_id = q.event_id";
  }

  String deleteQuarantined() {
    return "DELETE FROM " + quarantine + " WHERE event_id = ?";
  }
}
