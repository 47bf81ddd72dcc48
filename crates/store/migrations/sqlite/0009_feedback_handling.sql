-- PAKN handling (issue #6 item 6): the unit that must answer, the answer and its publication,
-- and the transfers between units. The 15-working-day deadline set at filing stays unchanged
-- by a transfer (vietnam-rules.md gives no rule that restarts it).

ALTER TABLE feedback_items ADD COLUMN unit TEXT;
ALTER TABLE feedback_items ADD COLUMN answer TEXT;
ALTER TABLE feedback_items ADD COLUMN answered_by TEXT;
ALTER TABLE feedback_items ADD COLUMN answered_at BIGINT;
ALTER TABLE feedback_items ADD COLUMN public_question TEXT;
ALTER TABLE feedback_items ADD COLUMN published_at BIGINT;

-- Items filed about a dossier belong to its competent unit.
UPDATE feedback_items SET unit = (SELECT d.unit FROM dossiers d WHERE d.code = feedback_items.dossier_code)
WHERE dossier_code IS NOT NULL;

CREATE INDEX feedback_items_unit ON feedback_items (unit, status, due_at, code);
CREATE INDEX feedback_items_published ON feedback_items (published_at, code) WHERE status = 'published';

CREATE TABLE feedback_transfers (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    code      TEXT NOT NULL,
    from_unit TEXT,
    to_unit   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX feedback_transfers_code ON feedback_transfers (code, at);

-- The inbox's "mới tiếp nhận" queue (received today, status 2 or 4) of a competent unit and of a
-- counter, found by index range instead of reading every in-progress row of the unit.
CREATE INDEX dossiers_unit_received ON dossiers (unit, received_at, code) WHERE status IN (2, 4);
CREATE INDEX dossiers_receiving_received ON dossiers (receiving_unit, received_at, code) WHERE status IN (2, 4);
