-- Files offered on LINE as a link (LINE cannot send a document to a person): an export, a
-- chart, an import's rejected rows. Only the token's SHA-256 is kept, so the database
-- cannot give the link away; the bytes go when the link expires (`expires_at`).
CREATE TABLE downloads (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content       BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    downloads     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX downloads_expiry ON downloads (expires_at);
