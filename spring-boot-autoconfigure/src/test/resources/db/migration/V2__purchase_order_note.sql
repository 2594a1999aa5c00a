ALTER TABLE purchase_order ADD COLUMN note text;
