-- Text keys compare bytewise. The database's default collation (C.UTF-8,
-- en_US.UTF-8...) sends every B-tree comparison of these keys through
-- strcoll() (profiles of a batch showed it under _bt_compare, a few per cent
-- of Postgres's time) for qr ids, visitor hashes and dimension values, which
-- are identifiers, not words, and need no linguistic order. With "C" they
-- compare with memcmp. Changing a column's collation rebuilds its indexes;
-- the rows are not rewritten. Queries need no change: a parameter of the
-- default collation combined with a "C" column compares under "C".
ALTER TABLE qr_daily ALTER COLUMN qr_code_id TYPE text COLLATE "C";
ALTER TABLE qr_hourly ALTER COLUMN qr_code_id TYPE text COLLATE "C";
ALTER TABLE qr_daily_dimension
  ALTER COLUMN qr_code_id TYPE text COLLATE "C",
  ALTER COLUMN dimension TYPE text COLLATE "C",
  ALTER COLUMN value TYPE text COLLATE "C";
ALTER TABLE visitor_minute_scans
  ALTER COLUMN qr_code_id TYPE text COLLATE "C",
  ALTER COLUMN visitor_id TYPE text COLLATE "C";
