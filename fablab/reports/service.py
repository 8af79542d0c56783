"""The reports as the API and the CLI serve them: whose site, which period, and the figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fablab.domain import clock, codes, moments
from fablab.sites.queries import calendar_for
from fablab.domain.errors import InvalidInput
from fablab.reports import queries
from fablab.reports.utilisation import Period, utilisation_report
from fablab.domain.vocabulary import KINDS

# A year and a day: enough for a yearly report, bounded so one request stays cheap.
MAX_PERIOD_DAYS = 366


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """Inclusive local dates. Without either bound, the current week (Monday to Sunday);
    with one, the week starting or ending there."""
    first = moments.parse_day(raw_from, "from") if raw_from else None
    last = moments.parse_day(raw_to, "to") if raw_to else None
    if first is None and last is None:
        first = today - timedelta(days=today.weekday())
    if last is None:
        last = first + timedelta(days=6)
    if first is None:
        first = last - timedelta(days=6)
    if last < first:
        raise InvalidInput("to must not be before from.", code=codes.INVALID_PERIOD)
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_PERIOD_DAYS} days.", code=codes.INVALID_PERIOD)
    return first, last


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", code=codes.UNKNOWN_KIND)
    return kind


async def build_report(site: dict, raw_from: str | None, raw_to: str | None, *, kind: str | None = None,
                       now: datetime | None = None) -> dict:
    now = now or clock.now()
    kind = check_kind(kind)
    today = now.astimezone(ZoneInfo(site["timezone"])).date()
    first, last = parse_period(raw_from, raw_to, today)
    calendar = await calendar_for(site, first, last)
    period = Period.of(first, last, calendar)
    resources = await queries.report_resources(site["id"], period.starts_at, period.ends_at, kind)
    bookings = await queries.report_bookings(site["id"], period.starts_at, period.ends_at, kind)
    figures = utilisation_report(calendar=calendar, period=period, now=now, resources=resources, bookings=bookings)
    return {
        "site": {"slug": site["slug"], "name": site["name"], "timezone": site["timezone"]},
        "from": first, "to": last, "kind": kind,
        "starts_at": period.starts_at, "ends_at": period.ends_at, "generated_at": now,
        **figures,
    }
