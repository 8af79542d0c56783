"""Attendance at the door: a pass scanned or a name ticked, late arrival and early leave; hours."""

from __future__ import annotations

from datetime import datetime

from fablab.accounts import scope
from fablab.domain import codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.accounts import passes
from fablab.accounts.current import CurrentUser
from fablab.domain.errors import InvalidInput, NotFound
from fablab.minors.queries import lacks_image_rights
from fablab.workshops import queries

# Minors and consents (issue 30): who must not be photographed, on the workshop's day at its site.
NO_PHOTO = lacks_image_rights("r.user_id", "(w.starts_at AT TIME ZONE (SELECT timezone FROM site WHERE id = w.site_id))::date")

REGISTERED = """
SELECT r.id, u.name FROM registration r JOIN app_user u ON u.id = r.user_id
WHERE r.workshop_id = $1 AND r.user_id = $2 AND r.status = 'registered'
"""


async def _who(pass_token: str | None, participant_id: int | None) -> int:
    if (pass_token is None) == (participant_id is None):
        raise InvalidInput("Give a pass or a participant.", code=codes.PASS_OR_PARTICIPANT)
    if participant_id is not None:
        return participant_id
    user_id = await passes.user_id_for_pass(pass_token)
    if user_id is None:
        raise NotFound("This pass is unknown or was replaced by a newer one.", code=codes.UNKNOWN_PASS)
    return user_id


async def record(*, actor: CurrentUser, workshop_id: int, pass_token: str | None, participant_id: int | None,
                 arrived_at: datetime | None, left_at: datetime | None) -> dict:
    """Staff of the workshop's site; only someone with a seat (409 not_registered otherwise). The
    times default to the workshop's; a second scan or tick corrects the first."""
    workshop = await queries.require_workshop(workshop_id)
    scope.require_site(actor, workshop["site_id"], "This workshop")
    user_id = await _who(pass_token, participant_id)
    arrived_at = arrived_at or workshop["starts_at"]
    left_at = left_at or workshop["ends_at"]
    if left_at <= arrived_at:
        raise InvalidInput("left_at must come after arrived_at.", code=codes.INVALID_ATTENDANCE, field="left_at")
    registration = await db.fetchone(REGISTERED, workshop_id, user_id)
    if registration is None:
        raise InvalidInput("This person has no seat at this workshop.", code=codes.NOT_REGISTERED,
                           participant=user_id)
    # Whoever may not be there says so (a visitor's pass that no longer covers the day: issue 30).
    await admission.admit(admission.Taking(
        person_id=user_id, site_id=workshop["site_id"], what="attendance", starts_at=workshop["starts_at"],
        ends_at=workshop["ends_at"], actor_id=actor.id, actor_is_staff=True, workshop_id=workshop_id))
    row = await db.fetchone(queries.UPSERT_ATTENDANCE, registration["id"], arrived_at, left_at, actor.id)
    return {**row, "participant": user_id, "name": registration["name"]}


async def registrations(*, actor: CurrentUser, workshop_id: int) -> list[dict]:
    """The workshop's sign-ups for its staff: seats, the waiting list in order, who came and hours."""
    workshop = await queries.require_workshop(workshop_id)
    scope.require_site(actor, workshop["site_id"], "This workshop")
    return await db.fetch(queries.REGISTRATIONS.format(hours=queries.HOURS, no_photo=NO_PHOTO), workshop_id)
