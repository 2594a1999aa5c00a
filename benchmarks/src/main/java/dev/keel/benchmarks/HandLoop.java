package dev.keel.benchmarks;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baseline ({@code loop-N}): the relay a team writes by hand, on one thread, on a table of its
 * own with only a primary key: {@code select ... order by id limit N for update skip locked}, send
 * every row, flush, wait for the acknowledgements, {@code delete ... where id = any(?)}, commit.
 * Its records carry the key, the payload and two headers (event id and type).
 *
 * <p>Named {@code probe-N}, it is the lock-free probe instead: it reads {@code where id > cursor
 * order by id limit N} without row locks, sends, flushes, waits for the acknowledgements, advances
 * the cursor in memory and deletes the published prefix ({@code id <= cursor}) on a second
 * connection and thread, trailing the sends. It has no lanes, leases, fence or second instance and
 * takes the backlog as complete when the drain starts, so it is no relay: it shows what reading
 * without locks and deleting behind a cursor cost per record, on one thread.
 *
 * <p>Named {@code stream-N}, it is the lock-free stream: the probe's read, but it reads the next
 * batch while the previous one waits for its acknowledgements and deletes nothing, truncating its
 * table once the last acknowledgement is in: the bound of publishing behind cursors with published
 * rows dropped by table, as PgQ does.
 *
 * <p>With {@code -env} ({@code loop-2000-env}, {@code probe-2000-env}), the same loop publishes the
 * record Keel's relay publishes: the six headers of Keel's envelope (event id, type, contract
 * version, occurred-at, source, content type), the last four stored in columns of their own. It
 * tells how much of a difference between the loop and the relay is the record itself rather than
 * the way it is relayed.
 */
public final class HandLoop implements Contender {
  /** How the loop finds the rows to send. */
  private enum Claim {
    /** {@code for update skip locked}, then a delete of the sent rows in the same transaction. */
    LOCKED,
    /** An in-memory cursor, no row locks, the published prefix deleted on a second connection. */
    CURSOR,
    /**
     * An in-memory cursor, no row locks, reads overlapping sends, no deletes: emptied at the end.
     */
    STREAM
  }

  private final DataSource ds;
  private final Map<String, Object> producerProperties;
  private final String table;
  private final String topic;
  private final int batch;
  private final boolean envelope;
  private final Claim claim;
  private Producer<byte[], byte[]> producer;
  private Connection loading;

  /**
   * @param ds the database
   * @param producerProperties producer settings, {@code bootstrap.servers} included
   * @param table the loop's own table, created by {@link #createTable}
   * @param topic where the records go
   * @param batch rows claimed per transaction
   * @param envelope whether the records carry Keel's six envelope headers instead of two
   * @param claim how the rows to send are found
   */
  private HandLoop(
      DataSource ds,
      Map<String, Object> producerProperties,
      String table,
      String topic,
      int batch,
      boolean envelope,
      Claim claim) {
    this.ds = ds;
    this.producerProperties = Map.copyOf(producerProperties);
    this.table = Backlog.checked(table)[0];
    this.topic = topic;
    this.batch = batch;
    this.envelope = envelope;
    this.claim = claim;
  }

  /**
   * The loop an id names ({@code loop-500}, {@code loop-2000-env}, {@code probe-2000}, ...), on a
   * table created here.
   *
   * @throws IllegalArgumentException when the id names no loop
   */
  public static HandLoop forId(
      DataSource ds, Map<String, Object> producerProperties, String table, String topic, String id)
      throws Exception {
    Matcher m = Pattern.compile("(loop|probe|stream)-([1-9][0-9]{0,5})(-env)?").matcher(id);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a loop: " + id);
    }
    boolean envelope = m.group(3) != null;
    createTable(ds, table, envelope);
    return new HandLoop(
        ds,
        producerProperties,
        table,
        topic,
        Integer.parseInt(m.group(2)),
        envelope,
        switch (m.group(1)) {
          case "probe" -> Claim.CURSOR;
          case "stream" -> Claim.STREAM;
          default -> Claim.LOCKED;
        });
  }

  /**
   * Creates the loop's table: a primary key and the columns it sends, no other index.
   *
   * @param envelope whether the table also holds the envelope's other four header values
   */
  private static void createTable(DataSource ds, String table, boolean envelope) throws Exception {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + Backlog.checked(table)[0]
              + " (id bigserial PRIMARY KEY, topic text NOT NULL, event_key text,"
              + " event_id uuid NOT NULL, event_type text NOT NULL, payload bytea NOT NULL"
              + (envelope
                  ? ", contract_version int NOT NULL, occurred_at text NOT NULL,"
                      + " source text NOT NULL, content_type text NOT NULL)"
                  : ")"));
    }
  }

  @Override
  public String id() {
    String kind =
        switch (claim) {
          case CURSOR -> "probe-";
          case STREAM -> "stream-";
          case LOCKED -> "loop-";
        };
    return kind + batch + (envelope ? "-env" : "");
  }

  @Override
  public String name() {
    String kind =
        switch (claim) {
          case CURSOR -> "lock-free probe";
          case STREAM -> "lock-free stream";
          case LOCKED -> "hand-written loop";
        };
    return envelope ? kind + ", " + batch + ", 6 headers" : kind + ", batch " + batch;
  }

  @Override
  public void prepare(int rows) throws Exception {
    Backlog.reset(ds, table);
    Map<String, Object> p = new HashMap<>(producerProperties);
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    loading = ds.getConnection();
    loading.setAutoCommit(false);
    // The same keys and payload as Workload.event, in id order; with the envelope, the values Keel
    // stores for it (the instant's text, the source, the default content type).
    Event e = Workload.event(topic, 0);
    try (PreparedStatement ps =
        loading.prepareStatement(
            "INSERT INTO "
                + table
                + " (topic, event_key, event_id, event_type, payload"
                + (envelope ? ", contract_version, occurred_at, source, content_type" : "")
                + ") SELECT ?, 'key-' || (g % "
                + Workload.KEYS
                + "), gen_random_uuid(), 'bench.happened', ?"
                + (envelope ? ", 1, ?, ?, ?" : "")
                + " FROM generate_series(0, ? - 1) g ORDER BY g")) {
      int i = 1;
      ps.setString(i++, topic);
      ps.setBytes(i++, Workload.PAYLOAD);
      if (envelope) {
        ps.setString(i++, e.occurredAt().toString());
        ps.setString(i++, e.source());
        ps.setString(i++, e.contentType());
      }
      ps.setInt(i, rows);
      ps.executeUpdate();
    }
    Backlog.analyze(loading, table);
  }

  @Override
  public void drain(Progress progress) throws Exception {
    if (claim == Claim.CURSOR) {
      drainBehindCursor(progress);
      return;
    }
    if (claim == Claim.STREAM) {
      drainStreaming(progress);
      return;
    }
    Connection c = loading;
    c.commit(); // the backlog appears: the clock runs
    try (PreparedStatement select =
            c.prepareStatement(
                columns(envelope)
                    + " FROM "
                    + table
                    + " ORDER BY id LIMIT "
                    + batch
                    + " FOR UPDATE SKIP LOCKED");
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM " + table + " WHERE id = ANY(?)")) {
      while (true) {
        List<Long> ids = new ArrayList<>(batch);
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            acks.add(producer.send(record(rs, envelope)));
          }
        }
        if (ids.isEmpty()) {
          c.commit();
          return;
        }
        producer.flush();
        for (Future<RecordMetadata> f : acks) {
          f.get(); // a failed send fails the drain: the rows would otherwise be deleted unsent
        }
        delete.setArray(1, c.createArrayOf("bigint", ids.toArray()));
        delete.executeUpdate();
        c.commit();
        progress.add(ids.size());
      }
    }
  }

  private void drainBehindCursor(Progress progress) throws Exception {
    Connection c = loading;
    c.commit(); // the backlog appears: the clock runs
    c.setAutoCommit(true);
    ExecutorService deleter = Executors.newSingleThreadExecutor();
    try (Connection d = ds.getConnection();
        PreparedStatement read =
            c.prepareStatement(
                columns(envelope) + " FROM " + table + " WHERE id > ? ORDER BY id LIMIT " + batch);
        PreparedStatement delete = d.prepareStatement("DELETE FROM " + table + " WHERE id <= ?")) {
      d.setAutoCommit(true);
      long cursor = 0;
      Future<?> deleting = null;
      while (true) {
        long last = cursor;
        int n = 0;
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch);
        read.setLong(1, cursor);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            last = rs.getLong(1);
            n++;
            acks.add(producer.send(record(rs, envelope)));
          }
        }
        if (n == 0) {
          break;
        }
        producer.flush();
        for (Future<RecordMetadata> f : acks) {
          f.get();
        }
        cursor = last;
        progress.add(n);
        if (deleting == null || deleting.isDone()) {
          if (deleting != null) {
            deleting.get(); // a failed delete fails the drain
          }
          long upTo = cursor;
          deleting =
              deleter.submit(
                  () -> {
                    delete.setLong(1, upTo);
                    return delete.executeUpdate();
                  });
        }
      }
      if (deleting != null) {
        deleting.get();
      }
      delete.setLong(1, cursor); // the prefix published since the last delete began
      delete.executeUpdate();
    } finally {
      deleter.shutdownNow();
    }
  }

  /**
   * The stream: reads the next batch while the previous one waits for its acknowledgements (two
   * batches in flight at most), asks for each flush on a thread of its own, never deletes a row,
   * and empties the table with one {@code truncate} once the last acknowledgement is in, as a relay
   * that rotates tables would when a table is fully published. It bounds what publishing behind
   * cursors without deletes on the hot path can reach on one thread.
   */
  private void drainStreaming(Progress progress) throws Exception {
    Connection c = loading;
    c.commit(); // the backlog appears: the clock runs
    c.setAutoCommit(true);
    ExecutorService flusher = Executors.newSingleThreadExecutor();
    try (PreparedStatement read =
        c.prepareStatement(
            columns(envelope) + " FROM " + table + " WHERE id > ? ORDER BY id LIMIT " + batch)) {
      long cursor = 0;
      List<Future<RecordMetadata>> previous = List.of();
      Future<?> flushing = null;
      while (true) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch);
        read.setLong(1, cursor);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            cursor = rs.getLong(1);
            acks.add(producer.send(record(rs, envelope)));
          }
        }
        if (flushing == null || flushing.isDone()) {
          flushing = flusher.submit(producer::flush);
        }
        for (Future<RecordMetadata> f : previous) {
          f.get(); // a failed send fails the drain
        }
        progress.add(previous.size());
        if (acks.isEmpty()) {
          break;
        }
        previous = acks;
      }
      try (Statement st = c.createStatement()) {
        st.execute("TRUNCATE " + table);
      }
    } finally {
      flusher.shutdownNow();
    }
  }

  /** The select list of a claim: id first, then what {@link #record} reads. */
  static String columns(boolean envelope) {
    return "SELECT id, topic, event_key, event_id, event_type, payload"
        + (envelope ? ", contract_version, occurred_at, source, content_type" : "");
  }

  /** The record of the current row of a result set selected by {@link #columns}. */
  static ProducerRecord<byte[], byte[]> record(ResultSet rs, boolean envelope) throws SQLException {
    RecordHeaders h = new RecordHeaders();
    h.add(new RecordHeader(EventHeaders.EVENT_ID, utf8(rs.getString(4))));
    h.add(new RecordHeader(EventHeaders.EVENT_TYPE, utf8(rs.getString(5))));
    if (envelope) {
      h.add(new RecordHeader(EventHeaders.CONTRACT_VERSION, utf8(rs.getString(7))));
      h.add(new RecordHeader(EventHeaders.OCCURRED_AT, utf8(rs.getString(8))));
      h.add(new RecordHeader(EventHeaders.SOURCE, utf8(rs.getString(9))));
      h.add(new RecordHeader(EventHeaders.CONTENT_TYPE, utf8(rs.getString(10))));
    }
    String key = rs.getString(3);
    return new ProducerRecord<>(
        rs.getString(2), null, key == null ? null : utf8(key), rs.getBytes(6), h);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void finish() throws Exception {
    close();
    long left = Backlog.count(ds, table);
    if (left != 0) {
      throw new IllegalStateException(name() + ": " + left + " rows left after the drain");
    }
  }

  @Override
  public void close() {
    Backlog.closeQuietly(loading);
    loading = null;
    if (producer != null) {
      producer.close();
      producer = null;
    }
  }
}
