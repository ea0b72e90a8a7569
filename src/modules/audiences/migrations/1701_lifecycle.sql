-- Lifecycle stages, scored with RFM: recency against the retailer's typical gap between purchases.
ALTER TABLE rfm_runs ADD COLUMN at_risk_gaps double precision NOT NULL DEFAULT 1.5 CHECK (at_risk_gaps > 0);
ALTER TABLE rfm_runs ADD COLUMN lapsed_gaps double precision NOT NULL DEFAULT 3 CHECK (lapsed_gaps > 0);
ALTER TABLE rfm_runs ADD COLUMN loyal_orders integer NOT NULL DEFAULT 4 CHECK (loyal_orders > 1);
-- the median gap in days between consecutive sales of a customer in the window, once done
ALTER TABLE rfm_runs ADD COLUMN typical_gap_days double precision;
ALTER TABLE rfm_scores ADD COLUMN lifecycle text NOT NULL DEFAULT 'active'
  CHECK (lifecycle IN ('new','active','loyal','at_risk','lapsed'));
