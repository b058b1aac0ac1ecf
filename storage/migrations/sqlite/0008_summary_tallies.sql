-- Running counts for summaries, kept up to date in the same transaction as every case and
-- referral change, per local day of registration (of the case, or of the referral). A
-- province summary sums a few hundred thousand tally rows at most, however many cases
-- there are, instead of scanning the cases (1.4 s on a million; bench/summaries.py).
-- Empty text stands for "none" (no cause, no unit yet, no outcome) so that the primary
-- keys hold. The tallies are filled from the tables at the first start after this
-- migration (bot.services.summaries.ensure_tallies), which knows the deployment's zone.
CREATE TABLE tally_people (
    day            TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    child_foreign  INTEGER NOT NULL,
    found          INTEGER NOT NULL,
    age_group      TEXT NOT NULL,
    child_sex      TEXT NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (day, district_code, child_foreign, found, age_group, child_sex)
);

CREATE TABLE tally_causes (
    day            TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    dropout_cause  TEXT NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (day, district_code, dropout_cause)
);

CREATE TABLE tally_needs (
    day            TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    needs_mask     INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (day, district_code, needs_mask)
);

CREATE TABLE tally_referrals (
    day              TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    need             TEXT NOT NULL,
    status           TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    n                INTEGER NOT NULL,
    PRIMARY KEY (day, organisation_id, need, status, outcome)
);

CREATE TABLE tally_accept_days (
    day              TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    days             INTEGER NOT NULL,
    n                INTEGER NOT NULL,
    PRIMARY KEY (day, organisation_id, days)
);

-- The referral figures of a unit's or a district's share also group by need (Table 5
-- counts learning referrals): the index follows that grouping.
DROP INDEX referrals_figures;
CREATE INDEX referrals_figures ON referrals (organisation_id, need, status, outcome,
                                             created_at);
