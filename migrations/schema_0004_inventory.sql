-- Inventory (issue 5): guarantees for counts that hold across workers.

-- One inventory count open per site at a time: two staff starting one together get the same count.
CREATE UNIQUE INDEX audit_one_open_per_site ON audit (site_id) WHERE closed_at IS NULL;

-- A tag scanned twice in one count is seen once (scans are retried on poor networks).
CREATE UNIQUE INDEX movement_audit_seen_once ON movement (audit_id, resource_id) WHERE kind = 'audit_seen';
