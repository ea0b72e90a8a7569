-- Change feed for incremental segment membership (issue 13, loyalty/public.ts loyaltyCustomersChangedSince):
-- points entries, tier spend and tier changes written after a point in time, and tier spend by its time
-- (whose 12-month window edge passes with time alone).
CREATE INDEX points_entries_created_at ON points_entries (created_at);
CREATE INDEX tier_spend_created_at ON tier_spend (created_at);
CREATE INDEX tier_spend_at ON tier_spend (at);
CREATE INDEX customer_tiers_updated_at ON customer_tiers (updated_at);
