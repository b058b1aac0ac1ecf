-- Messages an account sent by push, per channel and month: LINE counts them against the
-- plan's free messages and charges beyond. `warned`: the coordinators were told that few
-- are left this month.
CREATE TABLE channel_usage (
    channel  TEXT NOT NULL,
    month    TEXT NOT NULL,
    pushes   INTEGER NOT NULL DEFAULT 0,
    warned   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel, month)
);
