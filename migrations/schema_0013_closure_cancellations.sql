-- Closures (issue 15): a closure may cancel the confirmed bookings it hits, and the learners are
-- told like those of a retired item (migration 0009): cancel_reason 'closure', through the
-- reminders' sent-log ("booking_withdrawn").
ALTER TABLE booking DROP CONSTRAINT booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost', 'closure'));

-- What the learner is told beside the reason (the closure's own words, "Dégât des eaux").
ALTER TABLE booking ADD COLUMN cancel_note text NOT NULL DEFAULT '';

-- The sender's look-up of recent system cancellations (few rows: a partial index).
CREATE INDEX booking_system_cancelled ON booking (cancelled_at) WHERE cancel_reason IS NOT NULL;
