-- Development only (fablab migrate --backwards): the maintenance movements go with their tables,
-- past the append-only trigger, and the kind CHECK loses the word again.
ALTER TABLE movement DISABLE TRIGGER movement_append_only;
DELETE FROM movement WHERE kind = 'maintenance_done';
ALTER TABLE movement ENABLE TRIGGER movement_append_only;
SELECT fablab_movement_kind('maintenance_done', false);
DROP FUNCTION IF EXISTS fablab_movement_kind(text, boolean);
DROP INDEX IF EXISTS booking_resource_checked_out;
DROP TABLE IF EXISTS maintenance_record;
DROP TABLE IF EXISTS maintenance_plan;
