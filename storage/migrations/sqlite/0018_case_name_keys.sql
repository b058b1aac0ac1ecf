-- The duplicate check looks a name up instead of reading a district's whole cohort (which
-- cost 40 ms a registration at 30,000 children in one district). Each case is filed under
-- the blocking keys of its child's name (bot/domain/names.py `blocking_keys`), with its
-- district and birth year, so that the check seeks (district, year, key) for the three
-- years it accepts and each of its keys, and reads only the cases found there.
-- Plain table and B-tree indexes: the same statements run on PostgreSQL. The keys are
-- computed in Python: `Database.migrate` fills this table for the cases already saved,
-- in this migration's transaction (storage/cases.py `index_every_name`).
CREATE TABLE case_name_keys (
    district_code  TEXT NOT NULL,
    birth_year     INTEGER NOT NULL,
    key            TEXT NOT NULL,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (district_code, birth_year, key, case_id)
);

-- A case's keys, to replace or remove them (a move, an erasure).
CREATE INDEX case_name_keys_case ON case_name_keys (case_id);
