DROP INDEX IF EXISTS movement_audit_seen_once;
DROP INDEX IF EXISTS audit_one_open_per_site;
