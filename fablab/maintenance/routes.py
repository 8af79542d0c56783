"""HTTP routes of the maintenance domain: plans, what is due, the maintenance done, machine hours."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import scope
from fablab.domain import clock, codes, moments
from fablab.hooks import unit_gates
from fablab.platform.background import PeriodicJob
from fablab.domain.errors import InvalidInput
from fablab.platform.guards import staff_only
from fablab.maintenance import queries, service
from fablab.maintenance.rules import Plan
from fablab.maintenance.schemas import (
    DueOut, ItemMaintenanceOut, KindPlanOut, MachineHoursOut, MaintenanceIn, PlanIn, PlansOut,
)
from fablab.web import french_csv
from fablab.web.download import attachment
from fablab.web.spreadsheet import write_csv

MACHINE_HOURS_COLUMNS = ("month", "tag", "name", "hours", "loans")


def plan_from(data: PlanIn) -> Plan:
    return Plan(**msgspec.structs.asdict(data))


class ItemMaintenanceController(Controller):
    path = "/api/resources/{tag:str}"
    tags = ["maintenance"]

    @get("/maintenance", guards=[staff_only], cache=False,
         summary="An item's maintenance: its plan and where it stands",
         description=("Staff of its site. The plan that applies, `own_plan`, `kind_plan`, `state` (`ok`, `soon` "
                      "from 80 % of a threshold, `due`), `progress`, `refuses_bookings`, `counters` (hours and "
                      "loans since the last maintenance, days), the last 10 `records`."))
    async def state(self, request: Request, tag: FromPath[str]) -> ItemMaintenanceOut:
        """The plan that applies (the item's own, else its kind's at its site), the use since the
        last maintenance, whether it is due, and the last maintenances done."""
        return await service.item_maintenance(actor=request.user, tag=tag)

    @post("/maintenance", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Record maintenance done",
          description=("Staff of its site. `{task?, note?}` (task: the plan's when empty); `201`, in the item's "
                       "maintenance log and its custody history (`maintenance_done`); the counters start again. "
                       "`409 checked_out` while the item is out."))
    async def record(self, request: Request, tag: FromPath[str], data: JSONBody[MaintenanceIn]) -> ItemMaintenanceOut:
        """Maintenance done: in the item's history, and its counters start again."""
        return await service.record_maintenance(actor=request.user, tag=tag, task=data.task, note=data.note)

    @put("/maintenance-plan", guards=[staff_only], status_code=HTTP_200_OK,
         summary="Set an item's own maintenance plan",
         description=("Staff of its site. `{task, every_hours?, every_loans?, every_days?, refuse_when_overdue?}`: "
                      "at least one measure; the first threshold reached makes it due. With `refuse_when_overdue`, "
                      "while it is due, new bookings of the unit and the desk's check-outs are refused (`422 "
                      "maintenance_overdue`) and booking by kind takes other units. `400 plan_needs_a_measure`, "
                      "`400 invalid_plan`, `400 task_required`. Answers as `GET …/maintenance`."))
    async def put_plan(self, request: Request, tag: FromPath[str], data: JSONBody[PlanIn]) -> ItemMaintenanceOut:
        """Every N hours of use, N loans and/or N days; overrides the kind's plan for this item."""
        return await service.put_item_plan(actor=request.user, tag=tag, plan=plan_from(data))

    @delete("/maintenance-plan", guards=[staff_only], status_code=HTTP_204_NO_CONTENT,
            summary="Drop an item's own maintenance plan",
            description="Staff of its site. The item follows its kind's plan again.")
    async def delete_plan(self, request: Request, tag: FromPath[str]) -> None:
        await service.delete_item_plan(actor=request.user, tag=tag)


class KindPlanController(Controller):
    path = "/api/sites/{slug:str}/maintenance-plans/{kind:str}"
    tags = ["maintenance"]

    @put("", guards=[staff_only], status_code=HTTP_200_OK,
         summary="Set the maintenance plan of a kind at a site",
         description=("Staff of the site. The same body as an item's plan; it applies to every unit of the kind "
                      "without its own. `400 unknown_kind`."))
    async def put_plan(self, request: Request, slug: FromPath[str], kind: FromPath[str],
                       data: JSONBody[PlanIn]) -> KindPlanOut:
        """The plan of every unit of a kind at a site (an item's own plan overrides it)."""
        return await service.put_kind_plan(actor=request.user, site=slug, kind=kind, plan=plan_from(data))

    @delete("", guards=[staff_only], status_code=HTTP_204_NO_CONTENT,
            summary="Drop a kind's maintenance plan",
            description="Staff of the site.")
    async def delete_plan(self, request: Request, slug: FromPath[str], kind: FromPath[str]) -> None:
        await service.delete_kind_plan(actor=request.user, site=slug, kind=kind)


class MaintenanceController(Controller):
    path = "/api/maintenance"
    tags = ["maintenance"]

    @get("/due", guards=[staff_only], cache=False,
         summary="What is due for maintenance",
         description=("Staff. `site`: `{items: [{tag, name, kind, site, task, state: soon|due, progress, counters, "
                      "plan, own_plan, last_done_at}]}`, most advanced first, within their sites."))
    async def due(self, request: Request, site: FromQuery[str | None] = None) -> DueOut:
        """Items whose maintenance is due or soon due (from 80 % of a threshold), with their counters."""
        return await service.due(actor=request.user, site=site)

    @get("/plans", guards=[staff_only], cache=False,
         summary="The maintenance plans of a site",
         description="Staff. `site`: `{kinds: [...], items: [...]}`: the kind plans, and the items with their own.")
    async def plans(self, request: Request, site: FromQuery[str | None] = None) -> PlansOut:
        return await service.list_plans(actor=request.user, site=site)


def _period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """Inclusive dates; by default this month."""
    first = moments.parse_day(raw_from, "from") if raw_from else today.replace(day=1)
    last = moments.parse_day(raw_to, "to") if raw_to else (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if last < first:
        raise InvalidInput("to must not be before from.", code=codes.INVALID_PERIOD)
    return first, last


class MachineHoursController(Controller):
    path = "/api/reports/machine-hours"
    tags = ["reports"]

    @get("", guards=[staff_only], cache=False, summary="Hours of use and loans of each 3D printer of a site, per month",
         responses={200: ResponseSpec(data_container=MachineHoursOut, description="The report (or its CSV)",
                                     generate_examples=False)},
         description=("Staff. `site`, `from`, `to` (months; default this month, at most 24), `format=json|csv`: "
                      "hours out and loans of each 3D printer per month, in site time; a loan across months is "
                      "counted in each."))
    async def machine_hours(
        self, request: Request, site: FromQuery[str | None] = None,
        first: Annotated[str | None, QueryParameter(name="from")] = None,
        last: Annotated[str | None, QueryParameter(name="to")] = None,
        format: FromQuery[Literal["json", "csv"]] = "json", lang: FromQuery[str] = "en",
    ) -> Response:
        """The months from `from`'s to `to`'s (dates, site time; default this month), at most 24."""
        french_csv.check_language(lang)
        site_row = await scope.site_for(request.user, site)
        now = clock.now()
        first_day, last_day = _period(first, last, now.astimezone(ZoneInfo(site_row["timezone"])).date())
        report = await service.machine_hours(site=site_row, first=first_day, last=last_day, now=now)
        if format == "json":
            return Response(report)
        if lang == "fr":
            values = [[month.month, printer.tag, printer.name, month.hours, month.loans]
                      for printer in report.printers for month in printer.months]
            name = french_csv.file_name(site_row["name"], "machine-hours", report.from_month, report.to_month)
            return Response(french_csv.write(MACHINE_HOURS_COLUMNS, values), media_type="text/csv",
                            headers=attachment(name))
        rows = [[month.month, printer.tag, printer.name, str(month.hours), str(month.loans)]
                for printer in report.printers for month in printer.months]
        name = f"heures-machines-{report.site}-{report.from_month}-{report.to_month}.csv"
        return Response(write_csv(MACHINE_HOURS_COLUMNS, rows), media_type="text/csv", headers=attachment(name))


ROUTES: list = [ItemMaintenanceController, KindPlanController, MaintenanceController, MachineHoursController]
# A plan counted in days falls due with no event: its items' bookings are moved or withdrawn here.
JOBS: list = [PeriodicJob("maintenance-overdue", 300, service.withdraw_all_overdue)]

# A plan that refuses bookings while the item's maintenance is overdue closes the unit to bookings
# and loans (fablab/hooks/unit_gates.py): the booking engine and the desk ask the gate, never this package.
UNIT_GATES: list = [unit_gates.UnitGate(
    name="maintenance_overdue", may_refuse=queries.may_refuse, require_open=queries.require_not_overdue,
    refuses_now=queries.refuses_now, refused_units=queries.overdue_units)]
