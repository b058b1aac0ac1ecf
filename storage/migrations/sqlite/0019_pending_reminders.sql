-- The wake-up claims the oldest due reminders in order of (due_at, id). PostgreSQL's
-- reminders_due (status, due_at) does not hold that order (SQLite's index entries end with
-- the rowid, which is the id, so it does): PostgreSQL sorted every pending row at each
-- claim (150 ms with 100,000 pending; bench/claims.py). Only pending rows are claimed.
CREATE INDEX reminders_pending_due ON reminders (due_at, id) WHERE status = 'pending';
