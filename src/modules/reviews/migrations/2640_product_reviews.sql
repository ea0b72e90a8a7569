-- Product reviews (shelf-QR page): one per order line, by the customer who bought it, shown once a
-- moderator publishes it. customer_id is the buyer's root at posting; rating 1-5; text is free text
-- checked for contact data on the way in. An erasure deletes the person's reviews (reviews/erasure.ts).
CREATE TABLE product_reviews (
  id           text PRIMARY KEY,
  sku          text NOT NULL,
  order_id     text NOT NULL,
  line_no      integer NOT NULL,
  customer_id  text NOT NULL,
  rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  text         text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  moderated_at timestamptz,
  moderated_by text,
  UNIQUE (order_id, line_no)
);
-- The public summary and recent published reviews of a SKU; the moderation queue oldest first.
CREATE INDEX product_reviews_sku ON product_reviews (sku, status, created_at DESC);
CREATE INDEX product_reviews_status ON product_reviews (status, created_at, id);
CREATE INDEX product_reviews_customer ON product_reviews (customer_id);
