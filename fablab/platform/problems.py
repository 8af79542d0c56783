"""The one place where errors become RFC 9457 problem responses (application/problem+json)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from fablab.domain import codes
from fablab.platform import storage
from fablab.domain.errors import DomainError
from fablab.platform.throttled_log import ThrottledLog

log = logging.getLogger("fablab")
# Errors that fail every request alike while they last (outage, full disk) are logged once a minute.
throttled = ThrottledLog(log)

# Seconds a client should wait before retrying a write refused for lack of disk space.
STORAGE_FULL_RETRY_S = 60

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Which unique index or constraint means which domain conflict.
CONSTRAINT_CODES = {
    "booking_no_overlap": (codes.BOOKING_CONFLICT, "This slot is already taken"),
    "booking_one_checked_out": (codes.ALREADY_CHECKED_OUT, "This item is already checked out"),
    "resource_tag_ci": (codes.TAG_TAKEN, "This tag is already used by another item"),
    "app_user_login_ci": (codes.LOGIN_TAKEN, "This login is already used"),
    "audit_one_open_per_site": (codes.AUDIT_ALREADY_OPEN, "A count is already open at this site"),
}

HTTP_CODES = {
    400: codes.BAD_REQUEST, 401: codes.NOT_AUTHENTICATED, 403: codes.FORBIDDEN, 404: codes.NOT_FOUND,
    405: codes.METHOD_NOT_ALLOWED, 409: codes.CONFLICT, 413: codes.BODY_TOO_LARGE, 415: codes.UNSUPPORTED_MEDIA_TYPE,
    422: codes.INVALID_INPUT, 429: codes.TOO_MANY_ATTEMPTS, 503: codes.SERVICE_UNAVAILABLE,
}

# Errors that mean PostgreSQL is unreachable or restarting: the client should retry later.
DATABASE_DOWN_ERRORS = (
    OSError, asyncio.TimeoutError, asyncpg.CannotConnectNowError, asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError, asyncpg.AdminShutdownError, asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError, asyncpg.ConnectionFailureError, asyncpg.InternalClientError,
)

# Input PostgreSQL or asyncpg's encoder refuses: an integer beyond int32/int64, a NUL byte in text.
# The client-side one subclasses InterfaceError, so it must be told apart before DATABASE_DOWN_ERRORS.
BAD_INPUT_ERRORS = (asyncpg.DataError, asyncpg.exceptions._base.DataError)


def problem(status: int, code: str, title: str, detail: str, headers: dict | None = None, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def domain_error_handler(_: Request, error: DomainError) -> Response:
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem(error.status, error.code, error.title, error.detail, headers=headers, **error.extra)


def http_error_handler(_: Request, error: HTTPException) -> Response:
    status = error.status_code
    code = HTTP_CODES.get(status, codes.ERROR)
    extra = {}
    if isinstance(error, ValidationException):
        code = codes.INVALID_INPUT
        if error.extra:
            extra["errors"] = error.extra
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    title = detail if status < 500 else "Server error"
    return problem(status, code, title, detail, headers=error.headers, **extra)


def unique_or_exclusion_handler(_: Request, error: asyncpg.IntegrityConstraintViolationError) -> Response:
    constraint = getattr(error, "constraint_name", None) or ""
    code, title = CONSTRAINT_CODES.get(constraint, (codes.CONFLICT, "Conflicts with existing data"))
    return problem(409, code, title, title)


def database_down_handler(_: Request, error: Exception) -> Response:
    throttled.log(logging.WARNING, ("database_unavailable", type(error).__name__),
                  "database unavailable: %s", type(error).__name__)
    return problem(
        503, codes.DATABASE_UNAVAILABLE, "Service temporarily unavailable",
        "The database cannot be reached; try again in a moment.", headers={"Retry-After": "5"},
    )


def bad_input_handler(_: Request, error: Exception) -> Response:
    log.info("input refused by the database: %s", error)
    return problem(400, codes.INVALID_INPUT, "Invalid input",
                   "A value is out of range or holds characters that cannot be stored.")


def storage_full_handler(_: Request, error: asyncpg.DiskFullError) -> Response:
    # SQLSTATE 53100: PostgreSQL could not write for lack of disk space; nothing was saved.
    storage.note_disk_full()
    throttled.log(logging.ERROR, ("storage_full",), "the database's disk is full: %s", error)
    return problem(503, codes.STORAGE_FULL, "Storage full",
                   "The server has run out of disk space; nothing was saved. Try again later.",
                   headers={"Retry-After": str(STORAGE_FULL_RETRY_S)})


def transaction_rollback_handler(_: Request, error: asyncpg.TransactionRollbackError) -> Response:
    # Deadlock or serialisation failure: nothing was written and the same request may succeed at
    # once. The lock order is designed so this does not happen; the log says if it ever does.
    log.error("transaction rolled back by PostgreSQL: %s", error)
    return problem(503, codes.TRY_AGAIN, "Busy, try again",
                   "Another change to the same data was in progress; nothing was saved. Try again.",
                   headers={"Retry-After": "1"})


def statement_timeout_handler(_: Request, error: asyncpg.PostgresError) -> Response:
    # lock_timeout or statement_timeout (fablab.platform.db): a lock held elsewhere or a statement too slow.
    # The database answers, it is busy: nothing was saved and the same request may pass in a moment.
    throttled.log(logging.WARNING, ("statement_timeout", type(error).__name__),
                  "statement ended by PostgreSQL: %s", error)
    return problem(503, codes.TRY_AGAIN, "Busy, try again",
                   "The data is busy with another change; nothing was saved. Try again in a moment.",
                   headers={"Retry-After": "2"})


def internal_error_handler(request: Request, error: Exception) -> Response:
    if isinstance(error, BAD_INPUT_ERRORS):
        return bad_input_handler(request, error)
    if isinstance(error, DATABASE_DOWN_ERRORS):
        return database_down_handler(request, error)
    # One traceback per route, kind of failure and minute: a bug hit by every request must not fill
    # the disk. The route is in the key: keyed on the error alone, a failure met on 33 routes at
    # once was logged under the first one's name, the others only counted in a line a minute later.
    route = request.scope.get("path_template") or request.url.path
    throttled.log(logging.ERROR, ("internal_error", request.method, route, type(error).__name__, str(error)[:200]),
                  "unhandled error on %s %s (route %s)", request.method, request.url.path, route, exc_info=error)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, codes.INTERNAL_ERROR, "Server error", "Something went wrong on our side.")


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    NotAuthorizedException: http_error_handler,
    PermissionDeniedException: http_error_handler,
    NotFoundException: http_error_handler,
    asyncpg.ExclusionViolationError: unique_or_exclusion_handler,
    asyncpg.UniqueViolationError: unique_or_exclusion_handler,
    asyncpg.TransactionRollbackError: transaction_rollback_handler,
    asyncpg.DiskFullError: storage_full_handler,
    asyncpg.LockNotAvailableError: statement_timeout_handler,
    asyncpg.QueryCanceledError: statement_timeout_handler,
    Exception: internal_error_handler,
}
