UPDATE booking SET cancel_reason = NULL WHERE cancel_reason = 'resource_maintenance';
ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost', 'closure', 'staff'));
ALTER TABLE booking DROP COLUMN IF EXISTS moved_from_id;
ALTER TABLE booking DROP COLUMN IF EXISTS unit_chosen;
