-- A person may use Panong on more than one channel (Telegram and LINE) as one account:
-- one row per channel they use. users.channel and users.channel_user_id stay the chat
-- notices go to: the channel they used last.
CREATE TABLE user_channels (
    channel          TEXT NOT NULL,
    channel_user_id  TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    linked_at        TEXT NOT NULL,
    PRIMARY KEY (channel, channel_user_id),
    UNIQUE (user_id, channel)
);

INSERT INTO user_channels (channel, channel_user_id, user_id, linked_at)
SELECT channel, channel_user_id, id, created_at FROM users;

-- A one-time code a person makes on one channel and sends from the other to link it.
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
