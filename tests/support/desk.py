"""The desk's signed-in staff member as the service functions take it (no HTTP in between)."""

from fablab import db
from fablab.accounts.current import CurrentUser

async def desk(login: str = "staff.vlg") -> CurrentUser:
    row = await db.fetchone("SELECT u.id, u.login, u.name, u.role, u.site_id, s.slug AS site, "
                            "ARRAY(SELECT ss.site_id FROM staff_site ss WHERE ss.user_id = u.id) AS site_ids "
                            "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.login = $1", login)
    return CurrentUser(**{**row, "site_ids": frozenset(row["site_ids"])}, session_id=0)
