-- The bulk-written part of the QĐ 766 index (issue #7): a full rebuild writes every fact packed
-- into segments (motcua_store::index::encode_segment, about 16,000 facts each) instead of one
-- row per fact, and empties index_facts, in one transaction. The dossier writer keeps upserting
-- one index_facts row per dossier; a row there replaces the same code's fact in a segment.
-- The stored index is therefore the segments in seq order, overlaid by index_facts.
CREATE TABLE index_segments (
    seq   BIGINT PRIMARY KEY,
    facts BIGINT NOT NULL,
    data  BYTEA NOT NULL
);
