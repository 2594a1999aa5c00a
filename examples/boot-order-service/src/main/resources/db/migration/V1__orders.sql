-- The order service's own tables. Keel's tables (outbox, dead letters, dedupe, sagas) are migrated
-- by Keel's starter through the same Flyway, in history tables of their own (keel_flyway_<component>).
CREATE TABLE orders (
  id          VARCHAR(36) PRIMARY KEY,
  customer    VARCHAR(100) NOT NULL,
  sku         VARCHAR(40) NOT NULL,
  quantity    INT NOT NULL,
  card        VARCHAR(40) NOT NULL,
  locale      VARCHAR(8) NOT NULL,
  status      VARCHAR(20) NOT NULL,
  saga_id     UUID,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE stock (
  sku        VARCHAR(40) PRIMARY KEY,
  available  INT NOT NULL CHECK (available >= 0)
);

CREATE TABLE stock_reservation (
  order_id  VARCHAR(36) PRIMARY KEY,
  sku       VARCHAR(40) NOT NULL,
  quantity  INT NOT NULL,
  status    VARCHAR(20) NOT NULL
);

CREATE TABLE payment (
  order_id  VARCHAR(36) PRIMARY KEY,
  card      VARCHAR(40) NOT NULL,
  status    VARCHAR(20) NOT NULL
);

-- Greetings per locale: an order in a locale without one cannot be notified (dead-lettered).
CREATE TABLE greeting (
  locale    VARCHAR(8) PRIMARY KEY,
  template  VARCHAR(200) NOT NULL
);

-- One row per notification sent; no unique key: Keel's dedupe row keeps a fact delivered twice
-- from writing a second one.
CREATE TABLE notification (
  event_id  VARCHAR(36) NOT NULL,
  order_id  VARCHAR(36) NOT NULL,
  body      VARCHAR(300) NOT NULL
);

INSERT INTO stock VALUES ('kayak', 10), ('paddle', 100);
INSERT INTO greeting VALUES ('en', 'Thank you, %s: order %s is placed.');
