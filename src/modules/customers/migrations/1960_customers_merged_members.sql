-- The merged members of groups (root_id set): a handful among a million customers. Audiences
-- (RFM, lifetime value: mergedCustomers in public.ts) and segments (underPeople) read them apart
-- from the roots, through this small index rather than a scan of every customer joined to itself.
CREATE INDEX customers_merged_members ON customers (root_id) WHERE root_id IS NOT NULL;
