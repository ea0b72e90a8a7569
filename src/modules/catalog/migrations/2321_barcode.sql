-- A product's barcode (EAN-13 / UPC as printed on the pack, optional): the till finds products by it.
ALTER TABLE products ADD COLUMN barcode text;
CREATE UNIQUE INDEX products_barcode ON products (barcode) WHERE barcode IS NOT NULL;
