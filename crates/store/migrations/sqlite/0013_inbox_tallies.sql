-- Queue sizes of the officers' inbox, kept by triggers in the transaction of every change to a
-- dossier row, so that counting a queue reads a few tally rows instead of every open dossier of
-- the unit (issue #6: inbox p99 ≤ 100 ms at 100,000 open dossiers, PostgreSQL included).
-- One row per competent unit, status, step (at status 4 only, where the "chờ ký" queue needs it;
-- '' otherwise), hour of the effective due and receiving unit. `due_hour` is effective_due
-- (milliseconds since the epoch) divided by 3,600,000, or -1 while there is no due. Only the
-- statuses the inbox lists are kept (1, 2, 4, 5, 6, 9); rows whose count reaches 0 are removed.
-- (Dossier rows are never written with INSERT OR REPLACE, whose implicit delete fires no trigger.)
CREATE TABLE inbox_tallies (
    unit           TEXT NOT NULL,
    status         BIGINT NOT NULL,
    step           TEXT NOT NULL,
    due_hour       BIGINT NOT NULL,
    receiving_unit TEXT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (unit, status, step, due_hour, receiving_unit)
);
CREATE INDEX inbox_tallies_receiving ON inbox_tallies (receiving_unit, status, step, due_hour, unit);

INSERT INTO inbox_tallies (unit, status, step, due_hour, receiving_unit, n)
SELECT unit, status, CASE WHEN status = 4 THEN COALESCE(step, '') ELSE '' END,
       COALESCE(effective_due / 3600000, -1), receiving_unit, COUNT(*)
FROM dossiers WHERE status IN (1, 2, 4, 5, 6, 9)
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER dossiers_tally_insert AFTER INSERT ON dossiers
WHEN NEW.status IN (1, 2, 4, 5, 6, 9)
BEGIN
    INSERT INTO inbox_tallies (unit, status, step, due_hour, receiving_unit, n)
    VALUES (NEW.unit, NEW.status, CASE WHEN NEW.status = 4 THEN COALESCE(NEW.step, '') ELSE '' END,
            COALESCE(NEW.effective_due / 3600000, -1), NEW.receiving_unit, 1)
    ON CONFLICT (unit, status, step, due_hour, receiving_unit) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dossiers_tally_update AFTER UPDATE ON dossiers
WHEN OLD.status IS NOT NEW.status OR OLD.step IS NOT NEW.step OR OLD.effective_due IS NOT NEW.effective_due
  OR OLD.unit IS NOT NEW.unit OR OLD.receiving_unit IS NOT NEW.receiving_unit
BEGIN
    UPDATE inbox_tallies SET n = n - 1
    WHERE OLD.status IN (1, 2, 4, 5, 6, 9) AND unit = OLD.unit AND status = OLD.status
      AND step = CASE WHEN OLD.status = 4 THEN COALESCE(OLD.step, '') ELSE '' END
      AND due_hour = COALESCE(OLD.effective_due / 3600000, -1) AND receiving_unit = OLD.receiving_unit;
    DELETE FROM inbox_tallies
    WHERE n = 0 AND unit = OLD.unit AND status = OLD.status
      AND step = CASE WHEN OLD.status = 4 THEN COALESCE(OLD.step, '') ELSE '' END
      AND due_hour = COALESCE(OLD.effective_due / 3600000, -1) AND receiving_unit = OLD.receiving_unit;
    INSERT INTO inbox_tallies (unit, status, step, due_hour, receiving_unit, n)
    SELECT NEW.unit, NEW.status, CASE WHEN NEW.status = 4 THEN COALESCE(NEW.step, '') ELSE '' END,
           COALESCE(NEW.effective_due / 3600000, -1), NEW.receiving_unit, 1
    WHERE NEW.status IN (1, 2, 4, 5, 6, 9)
    ON CONFLICT (unit, status, step, due_hour, receiving_unit) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER dossiers_tally_delete AFTER DELETE ON dossiers
WHEN OLD.status IN (1, 2, 4, 5, 6, 9)
BEGIN
    UPDATE inbox_tallies SET n = n - 1
    WHERE unit = OLD.unit AND status = OLD.status
      AND step = CASE WHEN OLD.status = 4 THEN COALESCE(OLD.step, '') ELSE '' END
      AND due_hour = COALESCE(OLD.effective_due / 3600000, -1) AND receiving_unit = OLD.receiving_unit;
    DELETE FROM inbox_tallies
    WHERE n = 0 AND unit = OLD.unit AND status = OLD.status
      AND step = CASE WHEN OLD.status = 4 THEN COALESCE(OLD.step, '') ELSE '' END
      AND due_hour = COALESCE(OLD.effective_due / 3600000, -1) AND receiving_unit = OLD.receiving_unit;
END;

-- (PostgreSQL also gets a trigram index for search by name here; SQLite keeps the covering index
-- scan of migration 0010.)
