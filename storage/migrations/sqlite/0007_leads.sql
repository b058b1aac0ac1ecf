-- Lists of children to locate, imported from the name lists other systems distribute
-- (OBEC's dropout system, DOLE). A lead is not a case: a school's teachers look for the
-- child, then mark what they found; a found child is registered as a case as usual.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    imported_by  INTEGER REFERENCES users (id),
    imported_at  TEXT NOT NULL,
    total        INTEGER NOT NULL,
    added        INTEGER NOT NULL,
    already      INTEGER NOT NULL,
    rejected     INTEGER NOT NULL
);

CREATE TABLE leads (
    id               INTEGER PRIMARY KEY,
    -- The list's own reference: importing the same list again adds nothing.
    ref              TEXT NOT NULL UNIQUE,
    import_id        INTEGER NOT NULL REFERENCES imports (id),
    given_name       TEXT NOT NULL,
    family_name      TEXT,
    sex              TEXT NOT NULL,
    identity_type    TEXT NOT NULL,
    identity_number  TEXT,
    nationality      TEXT NOT NULL,
    birth_date       TEXT,
    birth_year       INTEGER NOT NULL,
    district_code    TEXT NOT NULL,
    subdistrict_code TEXT,
    guardian_phone   TEXT,
    school_id        TEXT REFERENCES organisations (id),
    status           TEXT NOT NULL DEFAULT 'to_locate'
                     CHECK (status IN ('to_locate', 'found', 'not_found', 'moved', 'studying')),
    result_code      TEXT,
    marked_by        INTEGER REFERENCES users (id),
    marked_at        TEXT,
    created_at       TEXT NOT NULL
);

CREATE INDEX leads_school ON leads (school_id, status, id);
CREATE INDEX leads_identity ON leads (identity_number);
