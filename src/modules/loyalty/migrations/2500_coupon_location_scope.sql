-- A coupon scoped to one store by whoever issued it (a journey's to-store coupon for the store
-- near the person that has the product): usable only there, whatever its template's locations.
-- Null: the template's locations.
ALTER TABLE coupons ADD COLUMN scope_location text;
