"""The impact report as the API serves it: which sites the caller may see, which period, the figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fablab.accounts import scope
from fablab.domain import codes, moments
from fablab.domain.errors import InvalidInput
from fablab.reports import impact_queries
from fablab.reports.impact import ImpactPeriod, impact_figures, site_rows

if TYPE_CHECKING:
    from fablab.accounts.current import CurrentUser

# A funder's year and a day at most, so one request stays cheap.
MAX_PERIOD_DAYS = 366
ALL_SITES = "all"


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """Inclusive local days. Funders count by year: without bounds, this calendar year; with one
    bound, the rest (or the start) of that bound's year."""
    first = moments.parse_day(raw_from, "from") if raw_from else None
    last = moments.parse_day(raw_to, "to") if raw_to else None
    if first is None:
        first = date((last or today).year, 1, 1)
    if last is None:
        last = date(first.year, 12, 31)
    if last < first:
        raise InvalidInput("to must not be before from.", code=codes.INVALID_PERIOD)
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_PERIOD_DAYS} days.", code=codes.INVALID_PERIOD)
    return first, last


async def report_sites(actor: CurrentUser, slug: str | None) -> tuple[list[dict], bool]:
    """The sites the report covers and whether it is "every site": one named site (the caller's),
    or, without one (or `all`), every site the caller works for (an admin: every site)."""
    wanted = None if slug in (None, "", ALL_SITES) else slug
    site_ids = await scope.listed_sites(actor, wanted)
    if site_ids is None:
        site_ids = await impact_queries.all_site_ids()
    return await impact_queries.sites(site_ids), wanted is None


async def build_impact_report(actor: CurrentUser, slug: str | None, raw_from: str | None, raw_to: str | None,
                              *, now: datetime) -> dict:
    sites, every_site = await report_sites(actor, slug)
    timezone = sites[0]["timezone"] if sites else "Europe/Paris"
    first, last = parse_period(raw_from, raw_to, now.astimezone(ZoneInfo(timezone)).date())
    site_ids = [site["id"] for site in sites]
    rows = await impact_queries.impact_rows(site_ids, first, last)
    period = ImpactPeriod(first, last, now)
    brief = [{key: site[key] for key in ("slug", "name", "timezone")} for site in sites]
    # Over several sites, each site's own figures too: a coordinator reports them side by side.
    by_site = [{"site": site_brief, **impact_figures(period, site_rows(rows, site["id"], site["slug"]))}
               for site, site_brief in zip(sites, brief)] if len(sites) > 1 else []
    return {
        "site": None if every_site else brief[0],
        "sites": brief, "from": first, "to": last, "generated_at": now,
        **impact_figures(period, rows), "by_site": by_site,
    }
