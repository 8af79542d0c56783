DROP TRIGGER IF EXISTS movement_part_fixed ON movement;
DROP FUNCTION IF EXISTS movement_part_fixed();
-- The parts' movements go with the parts (the only rows the append-only trigger lets go: it is
-- disabled for this one statement of the downgrade).
ALTER TABLE movement DISABLE TRIGGER movement_append_only;
DELETE FROM movement WHERE part_id IS NOT NULL;
ALTER TABLE movement ENABLE TRIGGER movement_append_only;
ALTER TABLE movement DROP CONSTRAINT IF EXISTS movement_part_kinds_name_a_part;
ALTER TABLE movement DROP CONSTRAINT IF EXISTS movement_kind_check;
ALTER TABLE movement ADD CONSTRAINT movement_kind_check CHECK (kind IN ('check_out', 'check_in',
    'maintenance_start', 'maintenance_end', 'lost', 'found', 'audit_seen', 'transfer', 'retired'));
DROP INDEX IF EXISTS movement_part;
ALTER TABLE movement DROP COLUMN IF EXISTS part_id;
DROP TABLE IF EXISTS part_custody;
DROP TABLE IF EXISTS part;
