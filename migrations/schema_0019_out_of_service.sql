-- An item leaving service (issue 25 item 2): its bookings by kind move to another free unit, the
-- others are withdrawn and their learners told (fablab/inventory/out_of_service.py).
--
-- unit_chosen: the booker named this unit (by its tag or id) rather than asking for any unit of
-- its kind. Existing rows read false: before this column nobody recorded it, and moving a booking
-- to another unit of the same kind, same slot, is what most learners booking a laptop want.
ALTER TABLE booking ADD COLUMN unit_chosen boolean NOT NULL DEFAULT false;
-- moved_from_id: the unit the booking was moved off when that unit left service; the learner's
-- list says so ("l'équipement prévu n'est plus disponible").
ALTER TABLE booking ADD COLUMN moved_from_id integer REFERENCES resource(id);

-- A unit sent to maintenance (a damaged return, maintenance started, an overdue maintenance that
-- refuses bookings) withdraws what it cannot move, saying why. The other words are kept, so this
-- holds whichever order other migrations widening the list are merged in.
ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost', 'closure', 'staff',
                                                      'resource_maintenance'));
