"""HTTP routes of the consumables domain: stock per site, its ledger, print logs, my month, the report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform.background import PeriodicJob
from fablab.consumables import alerts, queries, report, service
from fablab.consumables.months import month_label, month_of, month_span, parse_month
from fablab.consumables.schemas import (
    ConsumableIn, ConsumableOut, ConsumablePatch, ConsumptionReportOut, MovementIn, MovementOut, MyConsumptionOut,
    MyUseOut, PersonOut, PrintLogOut, PrintUseOut, StockOut,
)
from fablab.platform.db import fetch
from fablab.domain.errors import InvalidInput, NotFound
from fablab.platform.guards import signed_in, staff_only
from fablab.sites.queries import resource_by_tag, site_by_id
from fablab.web import french_csv
from fablab.web.download import attachment

PATCHABLE = ("name", "low_threshold", "monthly_budget_per_learner")


def now_utc() -> datetime:
    return clock.now()


def consumable_out(row: dict) -> ConsumableOut:
    return ConsumableOut(
        id=row["id"], site=row["site"], name=row["name"], unit=row["unit"], quantity=row["quantity"],
        low_threshold=row["low_threshold"], monthly_budget_per_learner=row["monthly_budget_per_learner"],
        low=row["low"], low_since=row["low_since"], updated_at=row["updated_at"])


def person(row: dict, prefix: str) -> PersonOut | None:
    user_id = row[f"{prefix}_id"]
    return None if user_id is None else PersonOut(id=user_id, login=row[f"{prefix}_login"], name=row[f"{prefix}_name"])


def movement_out(row: dict) -> MovementOut:
    return MovementOut(
        id=row["id"], consumable=row["consumable_id"], kind=row["kind"], delta=row["delta"],
        quantity_after=row["quantity_after"], booking=row["booking_id"], user=person(row, "user"),
        staff=person(row, "staff"), note=row["note"], at=row["at"])


def print_log_out(row: dict) -> PrintLogOut:
    out, back = row["checked_out_at"], row["returned_at"]
    return PrintLogOut(
        booking=row["booking"], resource=row["resource"], resource_name=row["resource_name"],
        user=person(row, "user"), checked_out_at=out, returned_at=back,
        duration_minutes=round((back - out).total_seconds() / 60) if out and back else None,
        outcome=row["outcome"], grams=sum(use["quantity"] for use in row["uses"] if use["unit"] == "g"),
        uses=[PrintUseOut(**use) for use in row["uses"]])


class ConsumableController(Controller):
    path = "/api/consumables"
    tags = ["consumables"]

    @get("", guards=[staff_only], cache=False,
         summary="A site's consumables",
         description=("Staff. `site` (default: their sites): `[{id, site, name, unit, quantity, low_threshold, "
                      "monthly_budget_per_learner, low, low_since, updated_at}]`, the low ones first."))
    async def list_consumables(self, request: Request, site: FromQuery[str | None] = None) -> list[ConsumableOut]:
        """The consumables of the staff's sites (or the one named), each with `low` when below its threshold."""
        site_ids = await scope.listed_sites(request.user, site)
        return [consumable_out(row) for row in await queries.list_consumables(site_ids)]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Add a consumable",
          description=("Staff of the site. `{site, name, unit: g|ml|unit, quantity, low_threshold, "
                       "monthly_budget_per_learner?}`; `201`; a starting quantity goes into the ledger as a "
                       "restock; `409 consumable_exists` (same name at the site, any case)."))
    async def create(self, request: Request, data: JSONBody[ConsumableIn]) -> ConsumableOut:
        """A starting `quantity` is recorded as a restock in the ledger."""
        row = await service.create_consumable(
            actor=request.user, site=data.site, name=data.name, unit=data.unit, quantity=data.quantity,
            low_threshold=data.low_threshold, monthly_budget_per_learner=data.monthly_budget_per_learner)
        return consumable_out(row)

    @patch("/{consumable_id:int}", guards=[staff_only],
           summary="Change a consumable",
           description=("Staff of its site. `{name?, low_threshold?, monthly_budget_per_learner?}`; `null` removes "
                        "the budget. No `quantity` (movements only) nor `unit`."))
    async def update(self, request: Request, consumable_id: FromPath[int], data: JSONBody[ConsumablePatch]
                     ) -> ConsumableOut:
        """Name, low threshold, monthly budget per learner (null: none). The stock changes by movements only."""
        changes = {key: value for key in PATCHABLE if (value := getattr(data, key)) is not msgspec.UNSET}
        return consumable_out(await service.update_consumable(actor=request.user, consumable_id=consumable_id,
                                                              changes=changes))

    @post("/{consumable_id:int}/movements", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Restock, use, lose or count a consumable",
          description=("Staff of its site. `{kind: restock|use|adjust|loss, quantity, booking?, note}`; `201 "
                       "{consumable, movement}`. restock/use/loss move the stock by `quantity` (at least 1: "
                       "`invalid_quantity`); adjust sets it to the quantity counted. The stock never goes below "
                       "zero (`409 insufficient_stock` with `available`), whatever the number of desks. A `booking` "
                       "of the same site charges a use to its learner (`booking_other_site`)."))
    async def move(self, request: Request, consumable_id: FromPath[int], data: JSONBody[MovementIn]) -> StockOut:
        """restock, use, loss: that quantity in or out; adjust: the stock counted. `409 insufficient_stock`
        when a use or loss would take the stock below zero (PostgreSQL's CHECK)."""
        result = await service.move_stock(actor=request.user, consumable_id=consumable_id, kind=data.kind,
                                          quantity=data.quantity, booking_id=data.booking, note=data.note)
        return StockOut(consumable=consumable_out(result["consumable"]), movement=movement_out(result["movement"]))

    @get("/{consumable_id:int}/movements", guards=[staff_only], cache=False,
         summary="A consumable's ledger",
         description="Staff of its site. `limit`; newest first. The ledger is append-only.")
    async def ledger(self, request: Request, consumable_id: FromPath[int], limit: FromQuery[int] = 100
                     ) -> list[MovementOut]:
        """The ledger, newest first (append-only: no route changes or deletes a row)."""
        consumable = await queries.require_consumable(consumable_id)
        scope.require_site(request.user, consumable["site_id"], "This consumable")
        return [movement_out(row) for row in await queries.movements(consumable_id, max(1, min(limit, 1000)))]


class PrintLogController(Controller):
    path = "/api/print-logs"
    tags = ["consumables"]

    @get("", guards=[staff_only], cache=False,
         summary="A printer's prints",
         description=("Staff of its site. `tag` or `booking`: `uses`, `grams`, `duration_minutes` (check-out to "
                      "check-in), `outcome`."))
    async def print_logs(self, request: Request, tag: FromQuery[str | None] = None,
                         booking: FromQuery[int | None] = None) -> list[PrintLogOut]:
        """A printer's prints (`tag`) or one booking's: consumables used, duration (check-out to
        check-in) and outcome, newest first."""
        if (tag is None) == (booking is None):
            raise InvalidInput("Give tag or booking.", code=codes.TAG_OR_BOOKING_REQUIRED)
        if tag is not None:
            resource = await resource_by_tag(tag.strip())
            if resource is None:
                raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
            scope.require_site(request.user, resource["site_id"], "This item")
            rows = await queries.prints(resource_id=resource["id"])
        else:
            found = await queries.booking_for_use(booking)
            scope.require_site(request.user, found["site_id"], "This booking")
            rows = await queries.prints(booking_id=booking)
        return [print_log_out(row) for row in rows]


class MyConsumptionController(Controller):
    path = "/api/me/consumption"
    tags = ["consumables"]

    @get("", guards=[signed_in], cache=False,
         summary="What I used this month",
         description="Signed in. This calendar month (my site's time), per consumable, with my site's budgets.")
    async def mine(self, request: Request) -> MyConsumptionOut:
        """What I used this month (my site's calendar month), with my site's monthly budgets."""
        site = await site_by_id(request.user.site_id) if request.user.site_id else None
        tz = ZoneInfo(site["timezone"] if site else "Europe/Paris")
        first = month_of(now_utc(), tz)
        start, end = month_span(first, tz)
        rows = await fetch(queries.MY_MONTH, request.user.id, start, end, request.user.site_id)
        return MyConsumptionOut(month=month_label(first), items=[
            MyUseOut(consumable=row["id"], site=row["site"], name=row["name"], unit=row["unit"], used=row["used"],
                     budget=row["budget"]) for row in rows])


class ConsumptionReportController(Controller):
    path = "/api/reports/consumption"
    tags = ["reports"]

    @get("", guards=[staff_only], cache=False,
         summary="Consumption of a site over a month: by consumable, by learner, failed-print share",
         responses={200: ResponseSpec(data_container=ConsumptionReportOut, description="The report (or its CSV)",
                                      generate_examples=False)},
         description=("Staff, for their sites. `site`, `month=YYYY-MM`, `format=json|csv`, "
                      "`table=consumables|learners`: per consumable `used`, `lost`, `restocked`, `adjusted`, "
                      "`stock`, `failed_quantity`, `failed_share`; per learner `used` against the budget "
                      "(`over_budget`); `prints`. `400 invalid_month`."))
    async def consumption(self, request: Request, site: FromQuery[str | None] = None,
                          month: FromQuery[str | None] = None, format: FromQuery[str] = "json",
                          table: FromQuery[str] = "consumables", lang: FromQuery[str] = "en") -> Response:
        """`month`: YYYY-MM in site time (default: this month). `format=csv` gives one `table`
        (consumables or learners); `lang=fr` writes it for a French spreadsheet."""
        if format not in ("json", "csv"):
            raise InvalidInput("format must be json or csv.", code=codes.INVALID_FORMAT)
        french_csv.check_language(lang)
        if format == "csv" and table not in report.TABLES:
            raise InvalidInput(f"table must be one of {', '.join(report.TABLES)}.", code=codes.INVALID_TABLE)
        site_row = await scope.site_for(request.user, site)
        now = now_utc()
        first = parse_month(month) if month else month_of(now, ZoneInfo(site_row["timezone"]))
        built: ConsumptionReportOut = await report.build_report(site_row, first, now)
        if format == "json":
            return Response(built)
        if lang == "fr":
            name = french_csv.file_name(site_row["name"], table, built.month)
            return Response(french_csv.write(*report.table_rows(built, table)), media_type="text/csv",
                            headers=attachment(name))
        name = f"consommation-{site_row['slug']}-{table}-{built.month}.csv"
        return Response(report.to_csv(built, table), media_type="text/csv", headers=attachment(name))


ROUTES: list = [ConsumableController, PrintLogController, MyConsumptionController, ConsumptionReportController]
JOBS: list = [PeriodicJob("consumable-alerts", 60, alerts.run_low_stock_mail)]
