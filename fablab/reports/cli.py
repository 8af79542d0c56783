"""`fablab report`: the utilisation report of a site and period on the terminal."""

from __future__ import annotations

import msgspec

from fablab.platform import db
from fablab.sites.queries import require_site
from fablab.reports import render
from fablab.reports.service import build_report

FORMATS = ("table", "csv", "json")


async def report_command(database_url: str, *, site: str, first: str | None, last: str | None,
                         output: str = "table", table: str = "resources", kind: str | None = None) -> str:
    """The report as text; raises DomainError (unknown site, bad dates) for the CLI to print."""
    db.configure(database_url)
    await db.start_pool(min_size=1, max_size=2)
    try:
        report = await build_report(await require_site(site), first, last, kind=kind)
    finally:
        await db.close_pool()
    if output == "json":
        return msgspec.json.format(msgspec.json.encode(report), indent=2).decode() + "\n"
    if output == "csv":
        return render.to_csv(report, table).lstrip("\ufeff")
    return render.to_text(report)
