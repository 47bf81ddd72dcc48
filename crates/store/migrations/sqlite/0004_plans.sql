-- Steering data (issue #8): plans with indicators, targets and reported values (counted once
-- approved by another user), the PAR-index criteria tree with yearly scores, and directives with
-- their assignee units and progress reports.

CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    year       BIGINT NOT NULL,
    document   TEXT NOT NULL,
    sample     BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE plan_indicators (
    plan_id          TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    position         BIGINT NOT NULL,
    name             TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    unit_of_measure  TEXT NOT NULL,
    direction        TEXT NOT NULL,
    aggregation      TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    source           TEXT NOT NULL,
    metric           TEXT,
    PRIMARY KEY (plan_id, id)
);

CREATE TABLE plan_targets (
    plan_id      TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    target       REAL NOT NULL,
    PRIMARY KEY (plan_id, indicator_id, period),
    FOREIGN KEY (plan_id, indicator_id) REFERENCES plan_indicators (plan_id, id) ON DELETE CASCADE
);

CREATE TABLE plan_values (
    id           INTEGER PRIMARY KEY,
    plan_id      TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        REAL NOT NULL,
    evidence_ref TEXT NOT NULL,
    note         TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    approved_by  TEXT,
    approved_at  BIGINT
);
CREATE INDEX plan_values_lookup ON plan_values (plan_id, indicator_id, period);

CREATE TABLE par_trees (
    version    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    sample     BIGINT NOT NULL,
    fields     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE par_scores (
    tree_version  TEXT NOT NULL REFERENCES par_trees (version) ON DELETE CASCADE,
    year          BIGINT NOT NULL,
    node_id       TEXT NOT NULL,
    self_assessed REAL,
    appraised     REAL,
    evidence      TEXT NOT NULL,
    PRIMARY KEY (tree_version, year, node_id)
);

CREATE TABLE directives (
    id           TEXT PRIMARY KEY,
    document     TEXT NOT NULL,
    title        TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    status       TEXT NOT NULL,
    completed_at TEXT,
    sample       BIGINT NOT NULL
);
CREATE INDEX directives_deadline ON directives (deadline);

CREATE TABLE directive_assignees (
    directive_id TEXT NOT NULL REFERENCES directives (id) ON DELETE CASCADE,
    unit         TEXT NOT NULL,
    PRIMARY KEY (directive_id, unit)
);

CREATE TABLE directive_reports (
    id           INTEGER PRIMARY KEY,
    directive_id TEXT NOT NULL REFERENCES directives (id) ON DELETE CASCADE,
    on_date      TEXT NOT NULL,
    unit         TEXT NOT NULL,
    note         TEXT NOT NULL,
    evidence_ref TEXT NOT NULL
);
