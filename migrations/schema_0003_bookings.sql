-- Bookings (issue 4): the no-show sweep reads only bookings still waiting for their check-out.

-- "Confirmed and started" is a handful of rows at any time, whatever the history holds; this
-- partial index keeps the sweep run before every availability read from scanning past bookings.
CREATE INDEX booking_confirmed_starts ON booking (starts_at) WHERE status = 'confirmed';
