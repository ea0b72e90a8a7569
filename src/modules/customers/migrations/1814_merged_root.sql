-- The merged members of each group, by root (customers/public.ts underPeople): few rows, so people's
-- rows are joined to them instead of every row being looked up for its root.
CREATE INDEX customers_merged_root ON customers (root_id) WHERE root_id IS NOT NULL;
