-- A scan's recipe: its config's options compiled once at submit (seeds, scope, targets,
-- limits, session; `rampart_domain::plan::Recipe` as JSON), handed to the worker at claim.
-- NULL for jobs queued before this column existed: those are compiled at claim.
ALTER TABLE scan_jobs ADD COLUMN recipe TEXT;
