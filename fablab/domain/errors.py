"""Domain errors: each has a stable code and an HTTP status, and knows nothing of Litestar."""

from __future__ import annotations

from fablab.domain import codes


class DomainError(Exception):
    """Base of every error a client can cause; mapped to a problem response in fablab.platform.problems."""

    status = 400
    code = codes.BAD_REQUEST
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, code: str | None = None, **extra) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        self.extra = extra


class NotFound(DomainError):
    status, code, title = 404, codes.NOT_FOUND, "Not found"


class Conflict(DomainError):
    status, code, title = 409, codes.CONFLICT, "Conflict"


class BookingConflict(Conflict):
    code, title = codes.BOOKING_CONFLICT, "This slot is already taken"


class PolicyViolation(DomainError):
    """A booking rule refuses the request; `code` names the rule (docs/ARCHITECTURE.md, Rules, 4)."""

    status, code, title = 422, codes.POLICY_VIOLATION, "Booking rule not met"


class InvalidInput(DomainError):
    status, code, title = 400, codes.INVALID_INPUT, "Invalid input"


class Unauthenticated(DomainError):
    status, code, title = 401, codes.NOT_AUTHENTICATED, "Login required"


class Forbidden(DomainError):
    status, code, title = 403, codes.FORBIDDEN, "Not allowed"


# The uploads of /api/scan (a photo of a QR tag).
class UnsupportedImage(DomainError):
    status, code, title = 415, codes.UNSUPPORTED_IMAGE, "Not an accepted image"


class FileTooLarge(DomainError):
    status, code, title = 413, codes.FILE_TOO_LARGE, "File too large"


class ImageTooCostly(DomainError):
    """A well-formed image whose decode would cost more CPU or memory than a scan may: 422."""

    status, code, title = 422, codes.IMAGE_TOO_COSTLY, "Image too costly to decode"


class NoCodeFound(DomainError):
    """The photo was read, but no QR code was found in it: 422, a request understood but not met."""

    status, code, title = 422, codes.NO_QR_FOUND, "No QR code found"


class _RetryLater(DomainError):
    """An error the client should simply retry, after `retry_after` seconds (the Retry-After header)."""

    status = 503
    # Also in the body, for a client that does not see the headers (the web app says how long to wait).
    retry_after_in_body = False

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra) -> None:
        if self.retry_after_in_body:
            extra["retry_after"] = retry_after
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class TooManyAttempts(_RetryLater):
    status, code, title = 429, codes.TOO_MANY_ATTEMPTS, "Too many attempts"
    retry_after_in_body = True


class PoolBusy(_RetryLater):
    """Every database connection stayed busy for the whole acquire timeout: busy, not down."""

    code, title = codes.TRY_AGAIN, "Busy, try again"

    def __init__(self, detail: str | None = None, *, retry_after: int = 2, **extra) -> None:
        super().__init__(detail or "The server is busy; nothing was saved. Try again in a moment.",
                         retry_after=retry_after, **extra)
