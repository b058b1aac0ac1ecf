-- Someone an answer or a notice could not reach, even after retries (Telegram down, a
-- timeout, a dropped connection): the delivery job tells them once Telegram takes messages
-- again, so that they know to look. Cleared once they have been told.
ALTER TABLE users ADD COLUMN undelivered_since TEXT;

CREATE INDEX users_undelivered ON users (undelivered_since);
