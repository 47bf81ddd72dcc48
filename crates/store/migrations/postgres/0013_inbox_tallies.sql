-- Queue sizes of the officers' inbox, kept by a trigger in the transaction of every change to a
-- dossier row, so that counting a queue reads a few tally rows instead of every open dossier of
-- the unit (issue #6: inbox p99 ≤ 100 ms at 100,000 open dossiers, PostgreSQL included).
-- One row per competent unit, status, step (at status 4 only, where the "chờ ký" queue needs it;
-- '' otherwise), hour of the effective due and receiving unit. `due_hour` is effective_due
-- (milliseconds since the epoch) divided by 3,600,000, or -1 while there is no due. Only the
-- statuses the inbox lists are kept (1, 2, 4, 5, 6, 9); rows whose count reaches 0 are removed.
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

CREATE FUNCTION inbox_tally_add(d dossiers, delta BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k_step TEXT := CASE WHEN d.status = 4 THEN COALESCE(d.step, '') ELSE '' END;
    k_hour BIGINT := COALESCE(d.effective_due / 3600000, -1);
BEGIN
    IF d.status NOT IN (1, 2, 4, 5, 6, 9) THEN
        RETURN;
    END IF;
    INSERT INTO inbox_tallies AS t (unit, status, step, due_hour, receiving_unit, n)
    VALUES (d.unit, d.status, k_step, k_hour, d.receiving_unit, delta)
    ON CONFLICT (unit, status, step, due_hour, receiving_unit) DO UPDATE SET n = t.n + delta;
    IF delta < 0 THEN
        DELETE FROM inbox_tallies
        WHERE n = 0 AND unit = d.unit AND status = d.status AND step = k_step
          AND due_hour = k_hour AND receiving_unit = d.receiving_unit;
    END IF;
END;
$$;

CREATE FUNCTION dossiers_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.step IS NOT DISTINCT FROM NEW.step
       AND OLD.effective_due IS NOT DISTINCT FROM NEW.effective_due AND OLD.unit = NEW.unit
       AND OLD.receiving_unit = NEW.receiving_unit THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM inbox_tally_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM inbox_tally_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER dossiers_tally AFTER INSERT OR UPDATE OR DELETE ON dossiers
FOR EACH ROW EXECUTE FUNCTION dossiers_tally();

-- Search by part of the name: a trigram index answers `applicant_name_fold LIKE '%…%'` from the
-- matching names instead of scanning the unit's (migration 0010). pg_trgm ships with PostgreSQL's
-- contrib modules; where it cannot be created the search keeps the scan (SQLite has no counterpart).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX dossiers_name_trigrams ON dossiers USING gin (applicant_name_fold gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): search by name scans the unit''s name index', SQLERRM;
END;
$$;
