-- A coupon scoped to one SKU by whoever issued it (a journey's "viewed, not bought" coupon for
-- the SKU viewed): it applies to that SKU's lines only, whatever its template's SKUs. Null: the template's scope.
ALTER TABLE coupons ADD COLUMN scope_sku text;
