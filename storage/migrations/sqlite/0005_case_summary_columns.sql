-- What the province's report tables count, kept on the case itself so that one pass over
-- one index answers every section of a summary, instead of joining children and needs for
-- each: Thai or foreign, sex, the report's age group at registration, and the support
-- needs as a bit mask (1 education, 2 health, 4 vocational skills, 8 consumables).
ALTER TABLE cases ADD COLUMN child_foreign INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN child_sex TEXT NOT NULL DEFAULT 'male';
ALTER TABLE cases ADD COLUMN age_group TEXT NOT NULL DEFAULT 'outside';
ALTER TABLE cases ADD COLUMN needs_mask INTEGER NOT NULL DEFAULT 0;

UPDATE cases SET
    child_foreign = (SELECT CASE WHEN ch.nationality = 'thai' THEN 0 ELSE 1 END
                     FROM children ch WHERE ch.id = cases.child_id),
    child_sex = (SELECT ch.sex FROM children ch WHERE ch.id = cases.child_id),
    age_group = (SELECT CASE
                     WHEN CAST(substr(cases.created_at, 1, 4) AS INTEGER) - ch.birth_year
                          BETWEEN 3 AND 5 THEN '3-5'
                     WHEN CAST(substr(cases.created_at, 1, 4) AS INTEGER) - ch.birth_year
                          BETWEEN 6 AND 15 THEN '6-15'
                     WHEN CAST(substr(cases.created_at, 1, 4) AS INTEGER) - ch.birth_year
                          BETWEEN 16 AND 18 THEN '16-18'
                     ELSE 'outside' END
                 FROM children ch WHERE ch.id = cases.child_id),
    needs_mask = (SELECT coalesce(sum(CASE n.need WHEN 'EDUCATION' THEN 1 WHEN 'HEALTH' THEN 2
                                      WHEN 'VOCATIONAL_SKILLS' THEN 4
                                      WHEN 'CONSUMABLES' THEN 8 ELSE 0 END), 0)
                  FROM case_needs n WHERE n.case_id = cases.id);

-- Covering indexes for the summary: the province's by period, a district's by district
-- then period; then every counted column, so that the cube never reads the table.
CREATE INDEX cases_summary ON cases (created_at, district_code, child_foreign, child_sex,
                                     age_group, found, dropout_cause, needs_mask);
CREATE INDEX cases_district_summary ON cases (district_code, created_at, child_foreign,
                                              child_sex, age_group, found, dropout_cause,
                                              needs_mask);
CREATE INDEX referrals_outcome ON referrals (organisation_id, outcome, case_id);
