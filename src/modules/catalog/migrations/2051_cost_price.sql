-- A product's unit cost in fen (optional): revenue sharing on the margin basis (settlements) uses it.
ALTER TABLE products ADD COLUMN cost_price bigint CHECK (cost_price IS NULL OR cost_price >= 0);
