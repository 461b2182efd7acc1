-- One ledger row per drop looked at this run, whatever its status (extract decided duplicate, stale and
-- integrity rejections; validate decided applied and threshold rejections). Bound: $run_id.
INSERT INTO work.ledger
SELECT source, drop_id, kind, status, reason, rows_in, rows_loaded, rows_quarantined, processed_at,
       manifest_sha256, manifest_mtime_ns, $run_id
FROM work.drop
ORDER BY apply_order, source, drop_id;
