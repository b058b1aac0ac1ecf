-- An invite can be withdrawn before anyone uses it: by a coordinator from /invites, or
-- with every pending invite of a user who is deactivated. A withdrawn invite never works.
ALTER TABLE invites ADD COLUMN revoked_at TEXT;
ALTER TABLE invites ADD COLUMN revoked_by INTEGER REFERENCES users (id);

-- /invites lists the pending ones, soonest to expire first.
CREATE INDEX invites_pending ON invites (expires_at) WHERE used_by IS NULL AND revoked_at IS NULL;
