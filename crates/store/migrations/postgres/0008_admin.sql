-- The province's own settings of catalogue procedures (issue #6 item 7): whether the procedure is
-- offered in the province, and the local fee fixed by the provincial People's Council (whole đồng).
-- A procedure without a row is offered with the catalogue's fees.

CREATE TABLE procedure_local (
    code           TEXT PRIMARY KEY,
    enabled        BIGINT NOT NULL DEFAULT 1,
    local_fee_dong BIGINT,
    note           TEXT NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL
);
