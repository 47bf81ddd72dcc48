-- The live QĐ 766 index (issue #7): one compact fact per dossier, written in the same
-- transaction as the dossier's events. Instants are nanoseconds since the Unix epoch;
-- `supplements` lists each supplement request as `requested:until` (until empty while waiting),
-- joined by `;`. `flags` holds the bits of motcua_domain::index::flag.
CREATE TABLE index_facts (
    code        TEXT PRIMARY KEY,
    unit        TEXT NOT NULL,
    received    BIGINT,
    closing     BIGINT,
    due         BIGINT,
    flags       BIGINT NOT NULL,
    supplements TEXT NOT NULL
);
