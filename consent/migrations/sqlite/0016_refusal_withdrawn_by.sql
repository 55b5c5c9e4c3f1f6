-- Who withdrew a refusal: the Amsterdammer (`amsterdammer`), or the organisation that recorded it
-- (`<partner>/<professional>`), which may lift a refusal it recorded itself. The history keeps
-- both: who recorded it and when, who withdrew it and when. Refusals withdrawn before this
-- migration were withdrawn by the Amsterdammer, the only one who could.
ALTER TABLE refusals ADD COLUMN withdrawn_by TEXT;
UPDATE refusals SET withdrawn_by = 'amsterdammer' WHERE withdrawn_at IS NOT NULL;
