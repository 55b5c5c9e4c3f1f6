-- A representation is evidence, not a claim: it grants nothing until it is confirmed, either by the
-- person represented or by a second professional of the recording organisation (four eyes), and it
-- records who ended it. Representations recorded before this migration were never confirmed, so
-- they stay pending until someone confirms them.
ALTER TABLE representations ADD COLUMN confirmed_at TIMESTAMPTZ;
ALTER TABLE representations ADD COLUMN confirmed_by TEXT;   -- `amsterdammer`, or `<partner>/<professional>`
ALTER TABLE representations ADD COLUMN ended_by TEXT;       -- `amsterdammer`, or `<partner>/<professional>`
