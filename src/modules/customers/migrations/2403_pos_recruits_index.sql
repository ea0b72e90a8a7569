-- Members recruited at a till over a range of days (posRecruits in public.ts: the store league,
-- scorecards and the customers report, issue 14): the group roots that are known profiles first
-- identified by a POS call, by creation time, with their id, so the range is read from this small
-- index alone instead of fetching every profile created in the range from the (wide) table.
CREATE INDEX customers_pos_recruits ON customers (created_at) INCLUDE (id)
  WHERE root_id IS NULL AND kind = 'known' AND first_channel = 'pos';
