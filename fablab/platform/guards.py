"""Access levels. Every route handler carries exactly one of these guards (tests/web/test_access.py checks it)."""

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from fablab.domain.errors import Forbidden, Unauthenticated

# Guards are coroutines: Litestar runs a plain-function guard in a worker thread on every request.
# A refusal names the role it wanted (`required_role` in the problem), which tells the web app
# (and the access test) a guard's 403 from a domain rule's 403.


async def public(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Anyone, signed in or not; declared so a route without a guard stands out."""


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.user is None:
        raise Unauthenticated("Log in to continue.")


async def staff_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await signed_in(connection, handler)
    if not connection.user.is_staff:
        raise Forbidden("Staff only.", required_role="staff")


async def admin_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await signed_in(connection, handler)
    if not connection.user.is_admin:
        raise Forbidden("Admins only.", required_role="admin")


ACCESS_GUARDS = {"public": public, "user": signed_in, "staff": staff_only, "admin": admin_only}
