-- validated_drops may run again in the same Dagster run (a retry after a failure past its commit). It must
-- start from what extract decided, not from its own earlier verdicts: the first time, remember work.drop as
-- extract left it; every time, put those statuses and counts back.
CREATE TABLE IF NOT EXISTS work.drop_extracted AS SELECT * FROM work.drop;

UPDATE work.drop AS d
SET status = e.status,
    reason = e.reason,
    rows_in = e.rows_in,
    rows_loaded = e.rows_loaded,
    rows_quarantined = e.rows_quarantined
FROM work.drop_extracted AS e
WHERE d.source = e.source AND d.drop_id = e.drop_id;
