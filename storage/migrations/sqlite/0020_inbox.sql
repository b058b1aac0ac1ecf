-- What the messengers posted, Telegram's updates beside LINE's events: written before the
-- webhook is answered 200 and handled after, by whichever bot process takes the chat
-- (`bot.inbox`). `line_events` becomes this table; its rows are LINE's.
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    -- The messenger's own id: LINE's webhookEventId, Telegram's update_id. Kept a week
    -- after handling, so that the same update sent again is recognised.
    event_id     TEXT NOT NULL,
    -- The chat whose updates are handled in order, one at a time across every process.
    chat_id      TEXT NOT NULL,
    -- The update as the messenger sent it (JSON); NULL once handled.
    body         TEXT,
    received_at  TEXT NOT NULL,
    handled_at   TEXT,
    UNIQUE (channel, event_id)
);

INSERT INTO inbox (id, channel, event_id, chat_id, body, received_at, handled_at)
SELECT id, 'line', webhook_event_id, chat_id, body, received_at, handled_at FROM line_events;

DROP TABLE line_events;

CREATE INDEX inbox_unhandled ON inbox (channel, chat_id, id) WHERE handled_at IS NULL;
CREATE INDEX inbox_handled ON inbox (handled_at) WHERE handled_at IS NOT NULL;
