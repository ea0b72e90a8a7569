-- The store a journey's pick_store step chose for the enrolment (the nearest open store within
-- its radius with the product in stock): issue_coupon at_picked_store scopes the coupon to it and
-- send_message's {{store}} names it. Written with the step's execution row, in one transaction.
ALTER TABLE journey_enrolments ADD COLUMN store_id text;
