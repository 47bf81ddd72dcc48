-- Name search in the inbox is a substring match on the folded name within one unit. These
-- covering indexes let it scan the unit's (name, submitted_at, code) entries only, instead of the
-- dossier rows with their full state (issue #6: inbox p99 ≤ 100 ms at 100,000 open dossiers).
CREATE INDEX dossiers_unit_name ON dossiers (unit, applicant_name_fold, submitted_at, code);
CREATE INDEX dossiers_receiving_name ON dossiers (receiving_unit, applicant_name_fold, submitted_at, code);
