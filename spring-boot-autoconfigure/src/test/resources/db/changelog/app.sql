--liquibase formatted sql

--changeset app:1
CREATE TABLE lb_purchase_order (id BIGINT PRIMARY KEY);

--changeset app:2
ALTER TABLE lb_purchase_order ADD note VARCHAR(100);
