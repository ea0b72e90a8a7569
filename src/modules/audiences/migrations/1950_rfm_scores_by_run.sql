-- RFM scores partitioned by run: a run writes its scores into a table of its own, builds that
-- table's key in one pass and attaches it; a superseded run's scores go with DROP TABLE. Row by row,
-- the key's upkeep and the delete of the previous run cost as much as the scoring (bench/rfm.ts).
ALTER TABLE rfm_scores RENAME TO rfm_scores_before_1950;
ALTER INDEX rfm_scores_pkey RENAME TO rfm_scores_before_1950_pkey;
CREATE TABLE rfm_scores (
  run_id       text NOT NULL,
  customer_id  text NOT NULL,
  recency_days integer NOT NULL,
  frequency    integer NOT NULL,
  monetary     bigint NOT NULL,
  r            smallint NOT NULL CHECK (r BETWEEN 1 AND 5),
  f            smallint NOT NULL CHECK (f BETWEEN 1 AND 5),
  m            smallint NOT NULL CHECK (m BETWEEN 1 AND 5),
  rfm          text NOT NULL,
  segment      text NOT NULL,
  lifecycle    text NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('new','active','loyal','at_risk','lapsed')),
  PRIMARY KEY (run_id, customer_id)
) PARTITION BY LIST (run_id);
-- one partition per run, named rfm_scores_<run id> (rfm-compute.ts)
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT run_id FROM rfm_scores_before_1950 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF rfm_scores FOR VALUES IN (%L)', 'rfm_scores_' || r.run_id, r.run_id);
  END LOOP;
END $$;
INSERT INTO rfm_scores (run_id, customer_id, recency_days, frequency, monetary, r, f, m, rfm, segment, lifecycle)
  SELECT run_id, customer_id, recency_days, frequency, monetary, r, f, m, rfm, segment, lifecycle FROM rfm_scores_before_1950;
DROP TABLE rfm_scores_before_1950;
