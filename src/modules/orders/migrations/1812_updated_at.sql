-- Change feed for incremental segment membership (issue 13, orders/public.ts orderCustomersChangedSince):
-- orders placed, paid, cancelled, returned or erased after a point in time (each bumps updated_at).
CREATE INDEX orders_updated_at ON orders (updated_at);
