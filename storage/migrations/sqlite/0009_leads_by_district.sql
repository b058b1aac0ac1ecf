-- The summary's survey table counts the children on imported lists per district and what
-- became of them, Thai and foreign, from this index alone.
CREATE INDEX leads_survey ON leads (district_code, status, nationality, created_at);
