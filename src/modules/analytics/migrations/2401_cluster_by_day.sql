-- Physical order of the derived rollups (analytics/rollup.ts, issue 14's speed). Filled by 2070 and
-- by rebuilds before this one in hash order, a range of days of analytics_buyer_days and
-- analytics_sku_day was spread over every page of the table: a 90-day report read ~3 times the
-- pages it needed, from disk when other work had evicted them. The rebuild now writes them in key
-- order (day first, after dims); this puts existing rows in that order once.
CLUSTER analytics_buyer_days USING analytics_buyer_days_pkey;
CLUSTER analytics_sku_day USING analytics_sku_day_pkey;
ANALYZE analytics_buyer_days;
ANALYZE analytics_sku_day;
