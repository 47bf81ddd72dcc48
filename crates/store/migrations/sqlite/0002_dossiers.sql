-- The dossier event log (source of truth) and the projections written in the same transaction:
-- current state per dossier, running counters per unit and day; plus idempotency keys, the
-- per-unit-per-day code sequence, workflows, documents and the notification outbox.

CREATE TABLE dossiers (
    code               TEXT PRIMARY KEY,
    procedure_code     TEXT NOT NULL,
    unit               TEXT NOT NULL,
    receiving_unit     TEXT NOT NULL,
    channel            BIGINT NOT NULL,
    status             BIGINT NOT NULL,
    step               TEXT,
    applicant_username TEXT,
    applicant_name     TEXT NOT NULL,
    applicant_pid      TEXT,
    submitted_at       BIGINT NOT NULL,
    received_at        BIGINT,
    appointment        BIGINT,
    effective_due      BIGINT,
    step_due           BIGINT,
    finished_at        BIGINT,
    returned_at        BIGINT,
    version            BIGINT NOT NULL,
    state              TEXT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX dossiers_inbox ON dossiers (unit, status, effective_due);
CREATE INDEX dossiers_applicant ON dossiers (applicant_username, submitted_at);
CREATE INDEX dossiers_pid ON dossiers (applicant_pid);

CREATE TABLE dossier_events (
    code        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    status      BIGINT NOT NULL,
    event       TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE dossier_sequences (
    unit TEXT NOT NULL,
    day  TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit, day)
);

CREATE TABLE idempotency_keys (
    actor      TEXT NOT NULL,
    key        TEXT NOT NULL,
    code       TEXT NOT NULL,
    response   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE TABLE unit_counters (
    unit   TEXT NOT NULL,
    day    TEXT NOT NULL,
    metric TEXT NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (unit, day, metric)
);

CREATE TABLE workflows (
    procedure_code TEXT NOT NULL,
    unit           TEXT NOT NULL,
    definition     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (procedure_code, unit)
);

CREATE TABLE documents (
    hash       TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE dossier_documents (
    code            TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    component       TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    hash            TEXT NOT NULL REFERENCES documents (hash),
    is_result       BIGINT NOT NULL,
    digitised       BIGINT NOT NULL,
    reused          BIGINT NOT NULL,
    from_data_store BIGINT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    PRIMARY KEY (code, seq)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    topic           TEXT NOT NULL,
    code            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
