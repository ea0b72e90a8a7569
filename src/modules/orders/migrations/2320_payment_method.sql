-- How an order was paid (issue 16, the till): cash, WeChat Pay, Alipay or a bank card. Written in
-- the same INSERT as the order (an in-store sale) or by the payment confirmation; null when not told.
ALTER TABLE orders ADD COLUMN payment_method text
  CHECK (payment_method IS NULL OR payment_method IN ('cash', 'wechat_pay', 'alipay', 'bank_card'));
