"""The desk's signed-in staff member as the service functions take it (no HTTP in between), and a loan
made through the desk's own code."""

from datetime import datetime, timedelta

from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.desk import checkin, checkout

async def desk(login: str = "staff.vlg") -> CurrentUser:
    row = await db.fetchone("SELECT u.id, u.login, u.name, u.role, u.site_id, s.slug AS site, "
                            "ARRAY(SELECT ss.site_id FROM staff_site ss WHERE ss.user_id = u.id) AS site_ids "
                            "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.login = $1", login)
    return CurrentUser(**{**row, "site_ids": frozenset(row["site_ids"])}, session_id=0)


async def lend(actor, tag: str, start: datetime, hours: float, learner: str = "learner3") -> None:
    """A loan handed over at `start` and taken back `hours` later, through the desk's own code."""
    end = start + timedelta(hours=hours)
    await checkout.check_out(actor=actor, tag=tag, user_ref=learner, due_at=end, now=start)
    await checkin.check_in(actor=actor, tag=tag, now=end)
