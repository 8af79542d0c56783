"""HTTP routes of the reports domain: utilisation reports and the reminders staff would see sent."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, QueryParameter

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform.background import PeriodicJob
from fablab.sites.calendar import local_moment
from fablab.domain.errors import InvalidInput
from fablab.platform.guards import staff_only
from fablab.platform.mail import load_smtp_settings
from fablab.reports import impact_pdf, impact_render, impact_service, reminders, render, service
from fablab.web import french_csv
from fablab.reports.schemas import ImpactOut, PendingRemindersOut, UtilisationOut
from fablab.platform.settings import SettingsError
from fablab.web.download import attachment

FORMATS = ("json", "csv")
IMPACT_FORMATS = ("json", "csv", "pdf")


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]

    @get("/utilisation", guards=[staff_only], cache=False,
         summary="Utilisation, no-shows, overdue loans and the weekly heatmap of a site over a period",
         description=("Staff, for their sites. `site`, `from`, `to`, `kind`, `format=json|csv`, "
                      "`table=kinds|resources|overdue|heatmap`: utilisation (booked open hours ÷ open hours) and "
                      "no-shows per kind, the most and least used units, overdue loans, a weekday × hour heat map."))
    async def utilisation(
        self, request: Request, site: FromQuery[str | None] = None,
        first: Annotated[str | None, QueryParameter(name="from")] = None,
        last: Annotated[str | None, QueryParameter(name="to")] = None,
        kind: FromQuery[str | None] = None, format: FromQuery[str] = "json",
        table: FromQuery[str] = "resources", lang: FromQuery[str] = "en",
    ) -> Response[UtilisationOut]:
        """`from`/`to`: inclusive dates in site time (default: this week). `format=csv` gives one
        `table` (kinds, resources, overdue, heatmap; default resources); `lang=fr` writes it for a
        French spreadsheet (`;`, decimal commas, French headers and words)."""
        if format not in FORMATS:
            raise InvalidInput("format must be json or csv.", code=codes.INVALID_FORMAT)
        french_csv.check_language(lang)
        if format == "csv" and table not in render.TABLES:
            raise InvalidInput(f"table must be one of {', '.join(render.TABLES)}.", code=codes.INVALID_TABLE)
        site_row = await scope.site_for(request.user, site)
        report = await service.build_report(site_row, first, last, kind=kind, now=clock.now())
        if format == "json":
            return Response(msgspec.convert(report, UtilisationOut))
        if lang == "fr":
            name = french_csv.file_name(site_row["name"], table, str(report["from"]), str(report["to"]))
            return Response(french_csv.write(*render.table(report, table)), media_type="text/csv",
                            headers=attachment(name))
        name = f"rapport-{site_row['slug']}-{table}-{report['from']}-{report['to']}.csv"
        return Response(render.to_csv(report, table), media_type="text/csv",
                        headers=attachment(name))

    @get("/impact", guards=[staff_only], cache=False,
         summary="The funders' impact report of the FabLab solidaire programme: a site or all sites over a period",
         description=("Staff, for their sites (admins: every site). `site` (absent or `all`: every site the caller "
                      "works for), `from`, `to` (inclusive local days; default: this calendar year; 366 days at "
                      "most), `format=json|csv|pdf`. Unique participants by age band, situation, referring partner, "
                      "new or returning; visitors apart; workshops held; seats offered, taken, attended, no-show "
                      "rate; hours attended and their spread per participant; courses started and completed. "
                      "The CSV opens in French Excel as columns; the PDF is one A4 page in French."))
    async def impact(
        self, request: Request, site: FromQuery[str | None] = None,
        first: Annotated[str | None, QueryParameter(name="from")] = None,
        last: Annotated[str | None, QueryParameter(name="to")] = None,
        format: FromQuery[str] = "json",
    ) -> Response[ImpactOut]:
        """What each figure means: fablab/reports/impact.py."""
        if format not in IMPACT_FORMATS:
            raise InvalidInput("format must be json, csv or pdf.", code=codes.INVALID_FORMAT)
        report = await impact_service.build_impact_report(request.user, site, first, last, now=clock.now())
        if format == "json":
            return Response(msgspec.convert(report, ImpactOut))
        stem = impact_render.file_stem(report)
        if format == "csv":
            return Response(impact_render.spreadsheet(report), media_type="text/csv",
                            headers=attachment(f"{stem}.csv"))
        return Response(impact_pdf.impact_pdf(report), media_type="application/pdf",
                        headers=attachment(f"{stem}.pdf"))


class ReminderController(Controller):
    path = "/api/reminders"
    tags = ["reports"]

    @get("/pending", guards=[staff_only], cache=False,
         summary="Today's reminders of a site: due or coming, sent or (without SMTP) what would be sent",
         description=("Staff, for their sites. Booking starts, loans due and overdue, waitlist offers and withdrawn "
                      "bookings; sent by e-mail when SMTP is configured and by Web Push to subscribed phones, each "
                      "once per channel."))
    async def pending(self, request: Request, site: FromQuery[str | None] = None) -> PendingRemindersOut:
        site_row = await scope.site_for(request.user, site)
        now = clock.now()
        tz = ZoneInfo(site_row["timezone"])
        today = now.astimezone(tz).date()
        until = local_moment(today + timedelta(days=1), time(0), tz)
        try:
            smtp_configured = load_smtp_settings() is not None
        except SettingsError:
            smtp_configured = False
        items = await reminders.pending(site_row["id"], now, until, smtp_configured)
        return msgspec.convert({"site": site_row["slug"], "smtp_configured": smtp_configured, "now": now,
                                "until": until, "reminders": items}, PendingRemindersOut)


ROUTES: list = [ReportController, ReminderController]
JOBS: list = [PeriodicJob("reminders", 60, reminders.run_reminder_channels)]
