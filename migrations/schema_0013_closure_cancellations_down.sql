DROP INDEX IF EXISTS booking_system_cancelled;
ALTER TABLE booking DROP COLUMN IF EXISTS cancel_note;
UPDATE booking SET cancel_reason = NULL WHERE cancel_reason = 'closure';
ALTER TABLE booking DROP CONSTRAINT booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost'));
