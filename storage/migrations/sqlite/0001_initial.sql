-- Foundation: who may use Panong, the children they find, and who did what.
-- Portable SQL (SQLite and PostgreSQL): timestamps are ISO-8601 UTC text, flags are 0/1
-- integers, JSON is text. Never edit this file once applied; add a new numbered one.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name_th     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    short_th    TEXT NOT NULL,
    short_en    TEXT NOT NULL,
    parent_id   TEXT REFERENCES organisations (id),
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organisation_districts (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    district_code   TEXT NOT NULL,
    PRIMARY KEY (organisation_id, district_code)
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL,
    channel_user_id  TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('teacher', 'focal_point', 'coordinator')),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    language         TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    invited_by       INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL,
    UNIQUE (channel, channel_user_id)
);

CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE invites (
    code             TEXT PRIMARY KEY,
    role             TEXT NOT NULL CHECK (role IN ('teacher', 'focal_point', 'coordinator')),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    created_by       INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_by          INTEGER REFERENCES users (id),
    used_at          TEXT
);

CREATE TABLE children (
    id               INTEGER PRIMARY KEY,
    given_name       TEXT NOT NULL,
    family_name      TEXT,
    nickname         TEXT,
    name_key         TEXT NOT NULL,
    sex              TEXT NOT NULL,
    identity_type    TEXT NOT NULL,
    identity_number  TEXT,
    nationality      TEXT NOT NULL,
    birth_date       TEXT,
    birth_year       INTEGER NOT NULL,
    birth_estimated  INTEGER NOT NULL DEFAULT 0,
    guardian_name    TEXT,
    guardian_phone   TEXT,
    created_at       TEXT NOT NULL
);

CREATE INDEX children_identity ON children (identity_number);
CREATE INDEX children_guardian_phone ON children (guardian_phone);

CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY,
    code                   TEXT NOT NULL UNIQUE,
    child_id               INTEGER NOT NULL REFERENCES children (id),
    teacher_id             INTEGER NOT NULL REFERENCES users (id),
    organisation_id        TEXT NOT NULL REFERENCES organisations (id),
    status                 TEXT NOT NULL,
    district_code          TEXT NOT NULL,
    subdistrict_code       TEXT,
    address                TEXT,
    latitude               REAL,
    longitude              REAL,
    found                  INTEGER NOT NULL,
    dropout_cause          TEXT,
    consent                TEXT NOT NULL,
    education_wish         TEXT NOT NULL,
    possible_duplicate_of  INTEGER REFERENCES cases (id),
    -- The wizard run that produced the case: confirming twice (a double tap, or a replay
    -- after a crash) finds the case already saved instead of saving it again.
    submission_id          TEXT NOT NULL UNIQUE,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE INDEX cases_teacher ON cases (teacher_id, id);
CREATE INDEX cases_child ON cases (child_id);
CREATE INDEX cases_district_child ON cases (district_code, child_id);

CREATE TABLE case_needs (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    need     TEXT NOT NULL,
    PRIMARY KEY (case_id, need)
);

-- One running number per prefix and Buddhist-era year: SPK-2568-00042.
CREATE TABLE case_counters (
    prefix      TEXT NOT NULL,
    year_be     INTEGER NOT NULL,
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (prefix, year_be)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);

CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_actor ON audit_log (actor_id, at);

-- Small facts the bot learns about itself (its @username, for invite links).
CREATE TABLE bot_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Chat-framework state: half-filled wizards (user/chat data as JSON) and the step each
-- conversation is on, so a teacher can carry on after a restart.
CREATE TABLE conversation_data (
    kind        TEXT NOT NULL,
    data_key    TEXT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (kind, data_key)
);

CREATE TABLE conversation_states (
    name        TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (name, state_key)
);
