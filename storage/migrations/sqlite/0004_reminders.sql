-- Follow-up reminders. The database is the schedule: a reminder is a row with a due time;
-- one job wakes up, turns the due rows into messages (one per recipient chat, in
-- reminder_messages, the outbox) and sends those. Nothing lives in memory, so a restart
-- loses nothing and a hundred thousand pending reminders cost no memory.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    referral_id  INTEGER REFERENCES referrals (id),
    user_id      INTEGER REFERENCES users (id),
    due_at       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'answered', 'cancelled')),
    detail       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE INDEX reminders_due ON reminders (status, due_at);
CREATE INDEX reminders_referral ON reminders (referral_id, status);
CREATE INDEX reminders_case ON reminders (case_id, status);

CREATE TABLE reminder_messages (
    id               INTEGER PRIMARY KEY,
    reminder_id      INTEGER NOT NULL REFERENCES reminders (id),
    channel          TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    language         TEXT NOT NULL,
    -- Set when this copy goes to a coordinator because the recipient cannot be reached.
    instead_of       TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    sent_at          TEXT
);

CREATE INDEX reminder_messages_due ON reminder_messages (status, next_attempt_at);

-- A user whose chat refuses the bot (they blocked it): their reminders go to the
-- coordinators until they write to the bot again.
ALTER TABLE users ADD COLUMN unreachable_since TEXT;
