package dev.keel.consumer.internal;

import dev.keel.consumer.Delivery;
import dev.keel.event.Event;
import dev.keel.event.sql.SqlDialect;
import java.sql.Connection;

/** A delivery for one handler call. */
final class DefaultDelivery implements Delivery {
  private final Prepared prepared;
  private final Connection connection;
  private final SqlDialect dialect;
  private final int attempt;

  DefaultDelivery(Prepared prepared, Connection connection, SqlDialect dialect, int attempt) {
    this.prepared = prepared;
    this.connection = connection;
    this.dialect = dialect;
    this.attempt = attempt;
  }

  @Override
  public Event event() {
    return prepared.event();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T payload() {
    return (T) prepared.payload();
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public SqlDialect dialect() {
    return dialect;
  }

  @Override
  public String group() {
    return prepared.listener().group();
  }

  @Override
  public String idempotencyKey() {
    return prepared.key();
  }

  @Override
  public int partition() {
    return prepared.partition();
  }

  @Override
  public long offset() {
    return prepared.offset();
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public String toString() {
    return "Delivery{"
        + prepared.event()
        + ", partition="
        + partition()
        + ", offset="
        + offset()
        + "}";
  }
}
