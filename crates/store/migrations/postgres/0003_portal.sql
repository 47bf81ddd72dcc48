-- The citizen portal: server-side sessions (the cookie holds a random id; only its SHA-256 is
-- stored), and online-submission drafts with their uploaded files until the dossier is submitted.

CREATE TABLE portal_sessions (
    id_hash     TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    csrf_token  TEXT NOT NULL,
    eid_level   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL
);
CREATE INDEX portal_sessions_seen ON portal_sessions (last_seen);

CREATE TABLE portal_drafts (
    username       TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    data           TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (username, procedure_code)
);

-- File content as hex text: one column type on both backends; files are small (portal limit).
CREATE TABLE portal_draft_files (
    username       TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    component      TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    content_hex    TEXT NOT NULL,
    uploaded_at    BIGINT NOT NULL,
    PRIMARY KEY (username, procedure_code, component)
);
