-- One outbox for every message a committed change owes somebody: referral messages to
-- units and their groups (new ones, and edits of those already shown), notices of each
-- transition, coordinators' queue notices, welcome notices, and reminders. A row is written
-- in the same transaction as the change; the dispatcher delivers it after the commit, in
-- order per chat, at least once, and marks it sent, retried or failed. Until now reminders
-- had an outbox of their own (reminder_messages): its rows move here.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    language         TEXT,
    -- notice: a Notice (payload); referral: the referral shown as it is when sent (a new
    -- message, or an edit of message_id); reminder: composed from the reminder when sent.
    kind             TEXT NOT NULL CHECK (kind IN ('notice', 'referral', 'reminder')),
    payload          TEXT NOT NULL DEFAULT '{}',
    case_id          INTEGER REFERENCES cases (id),
    referral_id      INTEGER REFERENCES referrals (id),
    reminder_id      INTEGER REFERENCES reminders (id),
    message_id       TEXT,
    -- Rows with the same key while pending are one message: a second edit of the same
    -- referral message adds nothing, since the edit shows the referral as it is when sent.
    dedup_key        TEXT,
    -- A UUID, sent with the request where the channel takes one (LINE's X-Line-Retry-Key),
    -- so that a retried send is never delivered twice.
    retry_key        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    -- Taken by a dispatcher until then; another may take it once the claim has lapsed.
    claimed_until    TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);

CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (channel, chat_id, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_dedup ON outbox (dedup_key) WHERE status = 'pending';
CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';
CREATE INDEX outbox_case ON outbox (case_id);

INSERT INTO outbox (channel, chat_id, language, kind, payload, case_id, reminder_id,
                    retry_key, status, attempts, next_attempt_at, last_error, created_at,
                    sent_at)
SELECT m.channel, m.chat_id, m.language, 'reminder',
       CASE WHEN m.instead_of IS NULL THEN '{}'
            ELSE json_object('instead_of', m.instead_of) END,
       r.case_id, m.reminder_id, (SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-8'
        || substr(h, 18, 3) || '-' || substr(h, 21, 12) FROM (SELECT lower(hex(randomblob(16))) AS h)),
       m.status, m.attempts,
       m.next_attempt_at, m.last_error, m.next_attempt_at, m.sent_at
FROM reminder_messages AS m JOIN reminders AS r ON r.id = m.reminder_id
ORDER BY m.id;

DROP INDEX reminder_messages_due;
DROP TABLE reminder_messages;
