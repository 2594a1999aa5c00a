package dev.keel.spring.boot.autoconfigure.app;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A JPA entity of the test application. */
@Entity
@Table(name = "purchase_order")
public class PurchaseOrder {
  @Id private String id;
  private long total;

  protected PurchaseOrder() {}

  public PurchaseOrder(String id, long total) {
    this.id = id;
    this.total = total;
  }

  public String getId() {
    return id;
  }

  public long getTotal() {
    return total;
  }
}
