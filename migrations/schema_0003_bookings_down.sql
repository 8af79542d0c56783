DROP INDEX IF EXISTS booking_confirmed_starts;
