CREATE TABLE purchase_order (id text PRIMARY KEY, total bigint NOT NULL);
