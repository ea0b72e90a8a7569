-- The merged members of groups (root_id set): a handful among a million customers. Audiences
-- (RFM, lifetime value) read them apart from the roots (mergedCustomers in public.ts), through this
-- small index rather than a scan of every customer joined to itself.
CREATE INDEX customers_merged_members ON customers (root_id) WHERE root_id IS NOT NULL;
