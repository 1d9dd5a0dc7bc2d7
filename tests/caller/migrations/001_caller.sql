-- qrfleet-test-caller: what it delivered, one row per event.
CREATE TABLE delivered (
  event_id    text PRIMARY KEY,
  n           int  NOT NULL,
  detail      text NOT NULL,   -- "<provider>: HTTP 200: {...}"
  from_ledger boolean NOT NULL -- the call was made by an earlier run of the batch
);

-- A row here refuses the batch's commit (a deferred constraint trigger): a
-- re-run forced at the last moment, after the outside calls and the outputs.
CREATE TABLE commit_refusals (n int NOT NULL);
CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'test-caller: commit refused for n=%', NEW.n;
END $$;
CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON commit_refusals
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit();
