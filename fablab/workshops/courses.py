"""Courses ("parcours"): workshops grouped with a target of hours, each participant's progress."""

from __future__ import annotations

from decimal import Decimal

from fablab.accounts import scope
from fablab.domain import codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.domain.errors import NotFound
from fablab.sites.queries import require_site
from fablab.tables import Course
from fablab.workshops import queries


async def create_course(*, actor: CurrentUser, site: str, title: str, description: str,
                        target_hours: float) -> int:
    site_row = await require_site(site)
    scope.require_site(actor, site_row["id"], "This site")
    [row] = await Course.insert(Course(site=site_row["id"], title=title.strip() or title, description=description,
                                       target_hours=round(Decimal(str(target_hours)), 2))).returning(Course.id)
    return row["id"]


async def course(*, actor: CurrentUser, course_id: int) -> dict:
    """The course, its workshops and each participant's hours against the target (completed when
    at least the target). Staff of its site."""
    row = await db.fetchone(queries.COURSE, course_id)
    if row is None:
        raise NotFound(f"No course {course_id}.", code=codes.UNKNOWN_COURSE)
    scope.require_site(actor, row["site_id"], "This course")
    target = row["target_hours"]
    progress = [{**person, "hours": person["hours"] or Decimal(0), "completed": (person["hours"] or 0) >= target}
                for person in await db.fetch(queries.COURSE_PROGRESS, course_id)]
    return {**row, "workshops": await db.fetch(queries.COURSE_WORKSHOPS, course_id), "participants": progress,
            "started": len(progress), "completed": sum(person["completed"] for person in progress)}
