-- People-counter counts (counts only: no images, no faces), one row per store, interval and
-- counter; a repeat of the same (store, from, to, source) replaces its count.
CREATE TABLE store_footfall (
  location_id text NOT NULL,
  from_at timestamptz NOT NULL,
  to_at timestamptz NOT NULL,
  source text NOT NULL,
  count integer NOT NULL CHECK (count >= 0),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, from_at, to_at, source),
  CHECK (to_at > from_at)
);
