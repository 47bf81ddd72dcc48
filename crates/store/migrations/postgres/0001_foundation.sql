-- Reference data, organisation, accounts. Instants are BIGINT milliseconds since the Unix epoch (UTC);
-- calendar dates are ISO 'YYYY-MM-DD' text ('' = unknown) so that both backends compare them the same way.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE admin_units (
    code        TEXT NOT NULL,
    level       TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_code TEXT,
    valid_to    TEXT,
    PRIMARY KEY (code, level, valid_from)
);
CREATE INDEX admin_units_parent ON admin_units (parent_code);

CREATE TABLE unit_merges (
    new_code  TEXT NOT NULL,
    new_level TEXT NOT NULL,
    old_code  TEXT NOT NULL,
    old_level TEXT NOT NULL,
    coverage  TEXT NOT NULL,
    PRIMARY KEY (new_code, new_level, old_code, old_level)
);
CREATE INDEX unit_merges_old ON unit_merges (old_code, old_level);

CREATE TABLE organisations (
    code            TEXT PRIMARY KEY,
    electronic_code TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    admin_unit_code TEXT
);

CREATE TABLE procedures (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    field       TEXT NOT NULL,
    levels      TEXT NOT NULL,
    online      TEXT NOT NULL,
    data        TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    schedule   TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit_code     TEXT,
    password_hash TEXT NOT NULL,
    eid_level     BIGINT NOT NULL DEFAULT 0,
    personal_id   TEXT,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (username);
