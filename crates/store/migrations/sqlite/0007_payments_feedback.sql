-- Online payment of fees (status 6), the sandbox gateway's own ledger, satisfaction ratings and
-- feedback/complaints (PAKN). Amounts are whole đồng.

CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    username     TEXT NOT NULL,
    amount_dong  BIGINT NOT NULL,
    status       TEXT NOT NULL,
    gateway      TEXT NOT NULL,
    gateway_ref  TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    settled_at   BIGINT
);
CREATE INDEX payments_dossier ON payments (dossier_code);
CREATE INDEX payments_status ON payments (status, created_at);

-- What the sandbox gateway knows, apart from motcua's own payments table (as a bank would).
CREATE TABLE sandbox_gateway_txns (
    gateway_ref  TEXT PRIMARY KEY,
    merchant_ref TEXT NOT NULL UNIQUE,
    amount_dong  BIGINT NOT NULL,
    description  TEXT NOT NULL,
    return_url   TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE dossier_ratings (
    dossier_code TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    rating       TEXT NOT NULL,
    comment      TEXT NOT NULL,
    rated_at     BIGINT NOT NULL
);

CREATE TABLE feedback_items (
    code         TEXT PRIMARY KEY,
    dossier_code TEXT,
    username     TEXT,
    name         TEXT NOT NULL,
    contact      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    due_at       BIGINT NOT NULL
);
CREATE INDEX feedback_items_dossier ON feedback_items (dossier_code);
CREATE INDEX feedback_items_due ON feedback_items (status, due_at);
