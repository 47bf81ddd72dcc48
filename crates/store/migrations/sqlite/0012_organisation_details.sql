-- The display fields of an organisation that motcua owns and a province administrator edits
-- (issue #6): where citizens find it and how they reach it. The codes and kinds stay as loaded
-- from the national reference data.

ALTER TABLE organisations ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN updated_at BIGINT;
ALTER TABLE organisations ADD COLUMN updated_by TEXT;
