"""An item leaving service, decided in one place (issue 25 item 2).

Every path that takes an item out of service calls `take_out_of_service`: a damaged return at the
desk, maintenance started, lost, retired (inventory.service.change_status, which the desk's check-in
calls), and a maintenance plan that refuses bookings once it is overdue (the check-in that makes it
due, the plan set while already due, the periodic job for plans counted in days).

What the learner keeps:
- A booking made by kind ("un portable, mercredi 14 h") moves to another free unit of the same
  kind at the same site for the same slot, chosen as a booking by kind chooses (least used first,
  never one whose maintenance refuses bookings). Its SEQUENCE is bumped, so the calendars show the
  new unit; the learner's list says the planned unit is no longer available. No message is sent:
  nothing the learner planned changes.
- A booking of that very unit (the learner chose it by its tag: this room, this printer), or one by
  kind for which no other unit is free, is withdrawn, saying why (cancel_reason), and the learner
  is told once by the reminders' `booking_withdrawn` notice: e-mail, push, and the app's list.
A waitlist entry for that very unit ends when the item is lost or retired; after a maintenance it
may still be served.

Why here, in inventory: the trigger is always the item's status or its maintenance, which the
inventory owns; every caller (inventory.service, the desk's check-in in desk.checkin, maintenance.service)
already imports inventory, and this module only reaches down (bookings writes them, waitlist, the
maintenance reads), so it adds no edge to the package graph.

Concurrency: the caller holds the item's row (FOR NO KEY UPDATE); its bookings are locked in start
order; each move is one UPDATE in a savepoint, guarded by the exclusion constraint: a unit taken
meanwhile (or being lent at this instant) is passed over for the next, and a booking no unit can
take is withdrawn. No double booking can come out of it.
"""

from __future__ import annotations

from datetime import datetime

from fablab.domain import clock
from fablab.bookings import queries as booking_queries
from fablab.bookings import changes as booking_changes
from fablab.bookings.schemas import AffectedBookingsOut
from fablab.waitlist.service import end_entries_of_resource

# Why a booking is withdrawn, by the status the item goes to.
REASONS = {"maintenance": "resource_maintenance", "lost": "resource_lost", "retired": "resource_retired"}
# An overdue maintenance that refuses bookings withdraws for the same reason as maintenance started.
OVERDUE_MAINTENANCE = "resource_maintenance"
# Gone for good (or for now): nobody waiting for this very unit will get it.
ENDS_WAITLIST = ("resource_lost", "resource_retired")

async def take_out_of_service(resource: dict, *, reason: str, now: datetime | None = None) -> AffectedBookingsOut:
    """Move or withdraw the item's bookings still to come (see the module's text). Within the
    caller's transaction, on the item's row it has locked and already marked out of service (an
    overdue maintenance leaves it `available`: its plan keeps it from being booked or lent)."""
    now = now or clock.now()
    moved: list[int] = []
    withdrawn: list[int] = []
    for booking in await booking_changes.future_bookings_of(resource["id"], now):
        if not booking["unit_chosen"] and await booking_changes.move_to_free_unit(booking, now=now) is not None:
            moved.append(booking["id"])
        else:
            withdrawn.append(booking["id"])
    withdrawn = await booking_changes.withdraw_bookings(withdrawn, reason=reason, now=now)
    if reason in ENDS_WAITLIST:
        await end_entries_of_resource(resource_id=resource["id"], reason=reason, now=now)
    if not moved and not withdrawn:
        return AffectedBookingsOut(moved=[], withdrawn=[])
    rows = {row["id"]: booking_queries.booking_out(row, now)
            for row in await booking_queries.bookings_by_ids(moved + withdrawn)}
    return AffectedBookingsOut(moved=[rows[i] for i in moved], withdrawn=[rows[i] for i in withdrawn])


def merged(outcomes: list[AffectedBookingsOut]) -> AffectedBookingsOut:
    """Several items' outcomes as one answer (a plan for a whole kind)."""
    return AffectedBookingsOut(moved=[b for o in outcomes for b in o.moved],
                               withdrawn=[b for o in outcomes for b in o.withdrawn])
