-- Back office (issue #6): the embedded population registry (Đề án 06) and its look-up log, the
-- tamper-evident audit log, dossier assignments, and the inbox's search and paging indexes.
-- Personal identification numbers appear only masked and as a keyed hash (HMAC-SHA-256 under the
-- deployment's key), never raw in an index.

CREATE TABLE population_citizens (
    pid_hash            TEXT PRIMARY KEY,
    pid_masked          TEXT NOT NULL,
    full_name           TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    sex                 TEXT NOT NULL,
    permanent_residence TEXT NOT NULL,
    current_residence   TEXT,
    place_of_origin     TEXT,
    ethnicity           TEXT,
    nationality         TEXT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE population_lookups (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    unit       TEXT,
    dossier    TEXT,
    purpose    TEXT NOT NULL,
    source     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    pid_masked TEXT NOT NULL,
    pid_hash   TEXT NOT NULL
);
CREATE INDEX population_lookups_at ON population_lookups (at);
CREATE INDEX population_lookups_pid ON population_lookups (pid_hash, at);

-- Append-only hash chain: hash = SHA-256(prev_hash || canonical content), seq without gaps.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

CREATE TABLE dossier_assignments (
    code        TEXT PRIMARY KEY,
    unit        TEXT NOT NULL,
    assignee    TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL
);
CREATE INDEX dossier_assignments_assignee ON dossier_assignments (assignee, code);

ALTER TABLE dossiers ADD COLUMN applicant_pid_hash TEXT;
ALTER TABLE dossiers ADD COLUMN applicant_name_fold TEXT;
DROP INDEX dossiers_pid;
DROP INDEX dossiers_inbox;
CREATE INDEX dossiers_pid_hash ON dossiers (applicant_pid_hash);
CREATE INDEX dossiers_unit_queue ON dossiers (unit, status, effective_due, code);
-- Partial indexes: only rows in the state they serve are kept, so other writes do not touch them.
CREATE INDEX dossiers_unit_step ON dossiers (unit, step, effective_due, code) WHERE status = 4;
CREATE INDEX dossiers_receiving_queue ON dossiers (receiving_unit, status, effective_due, code);
CREATE INDEX dossiers_awaiting_reception ON dossiers (submitted_at, code) WHERE status = 1;
