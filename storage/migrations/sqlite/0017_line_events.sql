-- LINE's webhook events, written before LINE is answered 200 and handled after: an event
-- taken when the bot died before handling it is handled at the next start. Once handled
-- its body is erased (it may hold what a person typed) and only its id stays, so that the
-- same event sent again by LINE (a redelivery) is recognised and not handled twice.
CREATE TABLE line_events (
    id                INTEGER PRIMARY KEY,
    webhook_event_id  TEXT NOT NULL UNIQUE,
    -- The chat whose events are handled in order, one at a time: the user, group or room id.
    chat_id           TEXT NOT NULL,
    -- The event as LINE sent it (JSON); NULL once handled.
    body              TEXT,
    received_at       TEXT NOT NULL,
    handled_at        TEXT
);

CREATE INDEX line_events_unhandled ON line_events (id) WHERE handled_at IS NULL;
CREATE INDEX line_events_handled ON line_events (handled_at) WHERE handled_at IS NOT NULL;
