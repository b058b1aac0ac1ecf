-- Referrals: one support need of one case, sent to one agency unit, and what became of it.
-- A need that no unit takes (no rule matched, or the unit declined) waits in the
-- coordinators' queue (awaiting_coordinator = 1) until a coordinator sends it elsewhere;
-- a re-sent need is a new row pointing at the one it replaces, so each unit's answers stay
-- countable. The history of every change is the audit log (entity 'referral').
CREATE TABLE referrals (
    id                    INTEGER PRIMARY KEY,
    case_id               INTEGER NOT NULL REFERENCES cases (id),
    need                  TEXT NOT NULL,
    organisation_id       TEXT REFERENCES organisations (id),
    status                TEXT NOT NULL,
    awaiting_coordinator  INTEGER NOT NULL DEFAULT 0,
    previous_id           INTEGER REFERENCES referrals (id),
    reason                TEXT,
    outcome               TEXT,
    created_by            INTEGER NOT NULL REFERENCES users (id),
    sent_at               TEXT,
    accepted_by           INTEGER REFERENCES users (id),
    accepted_at           TEXT,
    closed_at             TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

CREATE INDEX referrals_case ON referrals (case_id, id);
CREATE INDEX referrals_unit_status ON referrals (organisation_id, status, sent_at);
CREATE INDEX referrals_awaiting ON referrals (awaiting_coordinator, id);

-- The chat messages that show a referral to its unit, so that every copy is edited when
-- the referral changes (in a group, everybody sees who took it).
CREATE TABLE referral_messages (
    referral_id  INTEGER NOT NULL REFERENCES referrals (id),
    channel      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    language     TEXT NOT NULL,
    PRIMARY KEY (referral_id, channel, chat_id, message_id)
);

-- A unit's group chat, linked by one of its focal points with /linkgroup. Kept apart from
-- the organisations table, which the directory file rewrites.
CREATE TABLE unit_chats (
    organisation_id  TEXT PRIMARY KEY REFERENCES organisations (id),
    channel          TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    title            TEXT NOT NULL,
    language         TEXT NOT NULL,
    linked_by        INTEGER NOT NULL REFERENCES users (id),
    linked_at        TEXT NOT NULL,
    UNIQUE (channel, chat_id)
);
