-- Lets one SQL statement abort itself (and everything it wrote) with a chosen SQLSTATE, e.g. a
-- statement that writes a batch of orders and reserves their stock refuses the whole batch when
-- a stock row cannot cover it: SELECT CASE WHEN <short> THEN santong_raise('SA409', <detail>) END.
CREATE FUNCTION santong_raise(code text, message text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;
