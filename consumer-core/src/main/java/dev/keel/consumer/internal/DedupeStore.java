package dev.keel.consumer.internal;

import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The dedupe table {@code <prefix>consumer_dedupe(consumer_group, event_id, processed_at)}: an
 * insert that reports a duplicate without an error (and without aborting the transaction), and the
 * batched removal of expired rows. Thread-safe (stateless apart from the SQL).
 */
public final class DedupeStore {
  private final SqlDialect dialect;
  private final String insertSql;
  private final String insertAllSql;
  private final String deleteSql;

  public DedupeStore(SqlDialect dialect, TableNames names) {
    this.dialect = dialect;
    String t = names.sql(dialect, "consumer_dedupe");
    insertSql =
        dialect.insertIgnoring(
            t,
            List.of("consumer_group", "event_id", "processed_at"),
            List.of("consumer_group", "event_id"));
    insertAllSql =
        dialect == SqlDialect.POSTGRES
            ? "INSERT INTO "
                + t
                + " (consumer_group, event_id, processed_at) SELECT ?, k, ? FROM unnest(?) AS k"
                + " ON CONFLICT DO NOTHING RETURNING event_id"
            : null;
    if (dialect.isMySqlFamily()) {
      deleteSql = "DELETE FROM " + t + " WHERE consumer_group = ? AND processed_at < ? LIMIT ?";
    } else {
      deleteSql =
          "DELETE FROM "
              + t
              + " WHERE consumer_group = ? AND event_id IN (SELECT event_id FROM "
              + t
              + " WHERE consumer_group = ? AND processed_at < ? LIMIT ?)";
    }
  }

  /**
   * Inserts the dedupe row in the caller's transaction.
   *
   * @return true when inserted, false when the row already exists (a duplicate)
   */
  public boolean insert(Connection c, String group, String key, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      ps.setString(1, group);
      ps.setString(2, key);
      dialect.setInstant(ps, 3, at);
      if (dialect.insertIgnoringRebindsKey()) {
        ps.setString(4, group);
        ps.setString(5, key);
      }
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      // H2 only: a concurrent insert of the same key can still collide; H2 keeps the transaction.
      if (dialect.insertIgnoringRebindsKey() && "23505".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Inserts the dedupe rows of a batch in the caller's transaction: one statement on PostgreSQL,
   * one per key elsewhere.
   *
   * @param keys the idempotency keys in record order; a key may repeat (a record delivered twice)
   * @return per key, true when its row was inserted by this call for its first occurrence; false
   *     for a key whose row existed or that occurred earlier in the batch
   */
  public boolean[] insertAll(Connection c, String group, List<String> keys, Instant at)
      throws SQLException {
    boolean[] inserted = new boolean[keys.size()];
    if (insertAllSql == null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < keys.size(); i++) {
        inserted[i] = seen.add(keys.get(i)) && insert(c, group, keys.get(i), at);
      }
      return inserted;
    }
    Set<String> fresh = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(insertAllSql)) {
      ps.setString(1, group);
      dialect.setInstant(ps, 2, at);
      ps.setArray(3, c.createArrayOf("varchar", keys.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getString(1));
        }
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      inserted[i] = fresh.remove(keys.get(i)); // the first occurrence takes it
    }
    return inserted;
  }

  /**
   * Deletes up to {@code limit} rows of a group older than {@code cutoff}, in its own transaction.
   *
   * @return rows deleted
   */
  public int deleteExpired(DataSource ds, String group, Instant cutoff, int limit)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
        int i = 1;
        ps.setString(i++, group);
        if (!dialect.isMySqlFamily()) {
          ps.setString(i++, group);
        }
        dialect.setInstant(ps, i++, cutoff);
        ps.setInt(i, limit);
        return ps.executeUpdate();
      }
    }
  }
}
