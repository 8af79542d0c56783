"""Access levels. Every route handler carries exactly one of these guards (a test checks it)."""

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from fablab.errors import Forbidden, Unauthenticated


def public(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Anyone, signed in or not; declared so a route without a guard stands out."""


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.user is None:
        raise Unauthenticated("Log in to continue.")


def staff_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    signed_in(connection, handler)
    if not connection.user.is_staff:
        raise Forbidden("Staff only.")


def admin_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    signed_in(connection, handler)
    if not connection.user.is_admin:
        raise Forbidden("Admins only.")


ACCESS_GUARDS = {"public": public, "user": signed_in, "staff": staff_only, "admin": admin_only}
