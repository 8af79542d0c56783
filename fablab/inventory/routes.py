"""HTTP routes of the inventory domain: parse, call, shape (the rules live in the modules they call)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fablab.accounts import scope
from fablab.domain import clock, codes, moments
from fablab.domain.errors import InvalidInput, NotFound
from fablab.platform.guards import public, signed_in, staff_only
from fablab.inventory import audit_csv, audits, labels, qr, queries, resolution, scan, scan_child, service
from fablab.inventory.csvio import export_csv, parse_import
from fablab.inventory.schemas import (
    AuditIn, AuditOut, AuditScanIn, AuditScanOut, AuditStateOut, HoldersOut, ImportedOut, Kind, LoanOut, MovementOut,
    ResourceIn, ResourceOut, ResourcePatch, ScanOut, Status, TagOut,
)
from fablab.movements.tags import normalise_tag, tag_from_scanned_text, tag_url
from fablab.parts import queries as part_queries
from fablab.parts.schemas import PartOut
from fablab.platform.settings import Settings
from fablab.sites import queries as site_queries
from fablab.web import french_csv
from fablab.web.download import attachment

MAX_CSV_BYTES = 2 * 1024 * 1024
# Photo decodes in this worker at once (memory stays bounded however many phones send at once).
decode_slots = asyncio.Semaphore(scan.CONCURRENT_DECODES)
DEFAULT_TZ = "Europe/Paris"


# Details anyone signed in may read (what the item is); the rest (serial numbers, free keys) and the
# notes are for the staff of the item's site.
PUBLIC_DETAILS = ("model", "build_volume", "materials", "capacity")


def resource_out(resource: dict, viewer) -> ResourceOut:
    desk = scope.acts_for_site(viewer, resource["site_id"])
    return ResourceOut(
        id=resource["id"], tag=resource["tag"], name=resource["name"], kind=resource["kind"], site=resource["site"],
        site_name=resource["site_name"], status=resource["status"],
        details=resource["details"] if desk else {
            key: value for key, value in resource["details"].items() if key in PUBLIC_DETAILS},
        notes=resource["notes"] if desk else "", created_at=resource["created_at"], updated_at=resource["updated_at"])


def notes_searchable(viewer) -> list[int] | None:
    """The sites whose item notes a search may look into (None: every site)."""
    if viewer.is_admin:
        return None
    return sorted(viewer.site_ids) if viewer.is_staff else []


def user_ref(text: str) -> int | str:
    # isdigit() alone accepts '²' or Arabic-Indic digits, which int() then refuses.
    return int(text) if text.isascii() and text.isdigit() else text


class ResourceController(Controller):
    path = "/api/resources"
    tags = ["inventory"]

    @get("", guards=[signed_in],
         summary="Items",
         description=("Signed in. `site`, `kind`, `status`. `notes` and serial numbers only for staff of the item's "
                      "site; staff also see each item's `loan` (`{holder, due_at, overdue}` or null) on their "
                      "sites."))
    async def list_resources(
        self, request: Request, site: FromQuery[str | None] = None, kind: FromQuery[Kind | None] = None,
        status: FromQuery[Status | None] = None, q: FromQuery[str | None] = None,
    ) -> list[ResourceOut]:
        """Staff also see, on the items of their own sites, who holds each one now (`loan`)."""
        rows = await queries.list_resources(site=site, kind=kind, status=status, q=q,
                                            notes_of_sites=notes_searchable(request.user))
        out = [resource_out(row, request.user) for row in rows]
        if request.user.is_staff:
            own = [row["id"] for row in rows if scope.acts_for_site(request.user, row["site_id"])]
            loans = msgspec.convert(await queries.open_loans(own, clock.now()), dict[int, LoanOut])
            for item in out:
                item.loan = loans.get(item.id)
        return out

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Add an item",
          description="Staff of the site. The tag is generated when omitted (`VLG-LAP-013`); `409 tag_taken`.")
    async def create(self, request: Request, data: JSONBody[ResourceIn]) -> ResourceOut:
        resource = await service.create_resource(
            actor=request.user, site=data.site, kind=data.kind, name=data.name, tag=data.tag,
            details=data.details, notes=data.notes, status=data.status,
        )
        return resource_out(resource, request.user)

    @get("/export.csv", guards=[staff_only], media_type="text/csv",
         summary="The inventory as CSV",
         description="Staff, for their sites.")
    async def export(
        self, request: Request, site: FromQuery[str | None] = None, kind: FromQuery[Kind | None] = None,
        status: FromQuery[Status | None] = None,
    ) -> Response[str]:
        """The inventory of the staff's sites (or the one named), notes and serial numbers included."""
        site_ids = await scope.listed_sites(request.user, site)
        rows = await queries.list_resources(site_ids=site_ids, kind=kind, status=status, limit=100_000)
        today = await site_queries.site_today(site, request.user.site)
        name = f"inventaire-{site or 'tous'}-{today.isoformat()}.csv"
        return Response(export_csv(rows), media_type="text/csv",
                        headers=attachment(name))

    @post("/import", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Import items from CSV",
          description="Staff, for their sites. All rows or none: a per-line report of what is wrong.")
    async def import_csv(self, request: Request) -> ImportedOut:
        """The CSV file as the request body (Content-Type text/csv); all rows are imported or none."""
        raw = await request.body()
        if len(raw) > MAX_CSV_BYTES:
            raise InvalidInput("The CSV file must be 2 MB at most.", code=codes.FILE_TOO_LARGE)
        rows = parse_import(raw)
        return msgspec.convert(await service.import_resources(actor=request.user, rows=rows), ImportedOut)

    @get("/{tag:str}", guards=[signed_in],
         summary="One item",
         description=("Signed in. With its `parts` (`state` `here`, `lent`, `missing`; holder and booking for staff "
                      "of its site); `notes` and details other than model, build volume, materials and capacity "
                      "only for staff of its site."))
    async def detail(self, request: Request, tag: FromPath[str]) -> ResourceOut:
        resource = await queries.require_resource(normalise_tag(tag))
        out = resource_out(resource, request.user)
        desk = scope.acts_for_site(request.user, resource["site_id"])
        out.parts = msgspec.convert(part_queries.as_seen_by(await part_queries.parts_of(resource["id"]), desk=desk),
                                    list[PartOut])
        if desk:
            booking = await queries.open_checkout(resource["id"])
            loan = queries.booking_out(booking, clock.now()) if booking else None
            out.holder = loan.user if loan else None
            out.booking = loan
        return out

    @patch("/{tag:str}", guards=[staff_only],
           summary="Change an item, or its status",
           description=("Staff of its site. Retired or lost: its confirmed bookings still to come are cancelled "
                        "with `cancel_reason` `resource_retired`/`resource_lost` (the learner is told: "
                        "`booking_withdrawn`), its waitlist entries end. In maintenance: new bookings of it are "
                        "refused."))
    async def update(self, request: Request, tag: FromPath[str], data: JSONBody[ResourcePatch]) -> ResourceOut:
        changes = {key: value for key in ("name", "details", "notes", "status")
                   if (value := getattr(data, key)) is not msgspec.UNSET}
        resource, affected = await service.update_resource(actor=request.user, tag=tag, note=data.note, **changes)
        out = resource_out(resource, request.user)
        if affected is not None:
            out.item_bookings = affected
        return out

    @get("/{tag:str}/qr.svg", guards=[signed_in], media_type="image/svg+xml",
         summary="The tag's QR code, SVG",
         description="Signed in. It encodes `{BASE_URL}/t/{TAG}`.")
    async def qr_svg(self, tag: FromPath[str], settings: NamedDependency[Settings]) -> Response[str]:
        resource = await queries.require_resource(normalise_tag(tag))
        svg = qr.qr_svg(tag_url(settings.base_url, resource["tag"]), size="30mm", title=resource["tag"])
        return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=3600"})

    @get("/{tag:str}/qr.png", guards=[signed_in], media_type="image/png",
         summary="The tag's QR code, PNG",
         description="Signed in. It encodes `{BASE_URL}/t/{TAG}`.")
    async def qr_png(self, tag: FromPath[str], settings: NamedDependency[Settings]) -> Response[bytes]:
        resource = await queries.require_resource(normalise_tag(tag))
        png = qr.qr_png(tag_url(settings.base_url, resource["tag"]))
        return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=3600"})

    @get("/{tag:str}/holders", guards=[staff_only],
         summary="Who held an item then",
         description=("Staff of its site. `at`, or `from` and `to`: the custody log answers \"who had this laptop "
                      "on 12 March?\"."))
    async def holders(
        self, request: Request, tag: FromPath[str], at: FromQuery[str | None] = None,
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> HoldersOut:
        """Who held the item: at an instant or during a day (`at`), or over `from`..`to`."""
        resource = await queries.require_resource(normalise_tag(tag))
        scope.require_site(request.user, resource["site_id"], "This item")
        tz = ZoneInfo(resource["timezone"])
        if at:
            start, end = moments.parse_day_or_instant(at, tz, "at")
        else:
            start = moments.parse_day_or_instant(since, tz, "from")[0] if since else clock.now()
            end = moments.parse_day_or_instant(until, tz, "to")[1] if until else start
        return msgspec.convert({"tag": resource["tag"], "from": start, "to": end,
                                "holders": await queries.holders_between(resource["id"], start, end)}, HoldersOut)


async def _chosen_labels(rows: list[dict], wanted: list[str]) -> list[dict]:
    """The items and parts named, in the order asked for; a part's label says whose part it is."""
    found = {row["tag"]: row for row in rows}
    parts = await part_queries.labelled_parts([t for t in wanted if t not in found])
    for tag, part in parts.items():
        found[tag] = {"tag": part["tag"], "name": f"{part['name']} · {part['resource_name']}",
                      "site_name": part["site_name"]}
    unknown = [t for t in wanted if t not in found]
    if unknown:
        raise InvalidInput(f"Unknown tag(s): {', '.join(unknown)}.", code=codes.UNKNOWN_TAG, tags=unknown)
    return [found[t] for t in dict.fromkeys(wanted)]


class LabelController(Controller):
    path = "/api/labels"
    tags = ["inventory"]

    @get("", guards=[staff_only], media_type="text/html",
         summary="An A4 sheet of labels",
         description=("Staff. `site`, `kind` or `tags`, `format=html|pdf`: 3 × 7 labels (63.5 × 38.1 mm) with the "
                      "QR code, the tag set at the largest size that fits its line, and the name. `tags` may name "
                      "items and parts that have a tag of their own (the part's label names its item too; its QR "
                      "opens the item's page). `offset`: labels already used on the first sheet."))
    async def sheet(
        self, settings: NamedDependency[Settings], site: FromQuery[str | None] = None, kind: FromQuery[Kind | None] = None,
        tags: FromQuery[str | None] = None, format: FromQuery[Literal["html", "pdf"]] = "html",
        offset: FromQuery[int] = 0,
    ) -> Response[str]:
        """An A4 sheet of 3 × 7 labels for a site, a kind and/or a list of tags (comma-separated)."""
        labels.check_offset(offset)
        wanted = [normalise_tag(t) for t in tags.split(",") if t.strip()] if tags else None
        if not (site or kind or wanted):
            raise InvalidInput("Choose a site, a kind or a list of tags.", code=codes.SELECTION_REQUIRED)
        rows = await queries.list_resources(site=site, kind=kind, tags=wanted)
        if wanted:
            rows = await _chosen_labels(rows, wanted)
        else:
            rows = [row for row in rows if row["status"] != "retired"]
        items = [labels.Label(row["tag"], row["name"], row["site_name"], tag_url(settings.base_url, row["tag"]))
                 for row in rows]
        if format == "pdf":
            pdf = await asyncio.to_thread(labels.render_pdf, items, offset=offset)
            return Response(pdf, media_type="application/pdf",
                            headers=attachment("etiquettes.pdf", inline=True))
        return Response(labels.render_html(items, offset=offset), media_type="text/html")


class TagController(Controller):
    path = "/api/tags"
    tags = ["inventory"]

    @get("/{tag:str}", guards=[public],
         summary="A scanned tag: the item and what I may do with it now",
         description=("Anyone. What the caller may do, by role and the item's state. Staff of its site also get the "
                      "holder and the loan, and for a free item `walk_up` `{due_at, by_policy, opens_at}`: the "
                      "return time the desk offers (the policy's walk-up time while open; while closed, counted "
                      "from the next opening). Staff of another site get the learner's view."))
    async def resolve(self, request: Request, tag: FromPath[str]) -> TagOut:
        """Behind the web app's /t/{TAG} page: the item and what the caller may do with it now."""
        tag = normalise_tag(tag)
        resource = await queries.resource_by_tag(tag)
        part = None
        if resource is None:  # a part's own label: its item's page, saying which part was scanned
            part = (await part_queries.labelled_parts([tag])).get(tag.upper())
            if part is None:
                raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
            resource = await queries.require_resource(part["resource"])
        out = await resolution.resolve(resource, request.user, clock.now())
        return msgspec.convert({**out, "scanned_part": part["name"] if part else None}, TagOut)


class MovementController(Controller):
    path = "/api/movements"
    tags = ["inventory"]

    @get("", guards=[staff_only],
         summary="The custody log",
         description=("Staff, within their sites. `site`, `tag`, `from`, `to`. Append-only: check-outs and "
                      "check-ins, maintenance, lost and found, audit scans, parts not handed over, missing and "
                      "returned, maintenance done."))
    async def history(
        self, request: Request, tag: FromQuery[str | None] = None, user: FromQuery[str | None] = None,
        site: FromQuery[str | None] = None, kind: FromQuery[str | None] = None,
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
        limit: FromQuery[int] = 500,
    ) -> list[MovementOut]:
        """The custody log of the staff's sites, newest first; `from`/`to` take dates (site time) or
        RFC 3339 instants."""
        tz = ZoneInfo(DEFAULT_TZ)
        resource_id = None
        site_ids = await scope.listed_sites(request.user, site)
        if tag:
            resource = await queries.require_resource(normalise_tag(tag))
            scope.require_site(request.user, resource["site_id"], "This item")
            resource_id, tz = resource["id"], ZoneInfo(resource["timezone"])
            site_ids = None if site is None else site_ids  # the item's whole log, wherever it went
        user_id = (await queries.require_user(user_ref(user)))["id"] if user else None
        movements = await queries.list_movements(
            resource_id=resource_id, user_id=user_id, site_ids=site_ids, kind=kind,
            since=moments.parse_day_or_instant(since, tz, "from")[0] if since else None,
            until=moments.parse_day_or_instant(until, tz, "to")[1] if until else None,
            limit=max(1, min(limit, 5000)),
        )
        return msgspec.convert(movements, list[MovementOut])


class AuditController(Controller):
    path = "/api/audits"
    tags = ["inventory"]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Start an inventory count",
          description="Staff of the site. `{site}`.")
    async def start(self, request: Request, data: JSONBody[AuditIn]) -> AuditOut:
        return msgspec.convert(await audits.start_audit(actor=request.user, site=data.site), AuditOut)

    @get("", guards=[staff_only],
         summary="A site's counts",
         description="Staff. `site`; each closed count with its `counts`.")
    async def list_audits(self, request: Request, site: FromQuery[str | None] = None) -> list[AuditOut]:
        return msgspec.convert(await audits.list_audits(actor=request.user, site=site), list[AuditOut])

    @get("/{audit_id:int}", guards=[staff_only],
         summary="A count: seen, missing, unexpected",
         description="Staff of the count's site. A closed count keeps its report.")
    async def state(self, request: Request, audit_id: FromPath[int]) -> AuditStateOut:
        """The count so far (seen / missing / unexpected), or its final report once closed."""
        return msgspec.convert(await audits.audit_state(audit_id, actor=request.user), AuditStateOut)

    @get("/{audit_id:int}/report.csv", guards=[staff_only], media_type="text/csv",
         summary="A count's report as a spreadsheet",
         description=("Staff of the count's site. One line per item: what the count found (missing, unexpected, "
                      "lent out, seen), its tag, name, kind, status, why it was unexpected, when it was seen. "
                      "`lang=fr` (default) for a French spreadsheet (`;`, BOM, French headers and words, dates "
                      "12/03/2026 14:00), `lang=en` with the API's codes."))
    async def report_csv(self, request: Request, audit_id: FromPath[int], lang: FromQuery[str] = "fr") -> Response:
        french_csv.check_language(lang)
        state = await audits.audit_state(audit_id, actor=request.user)
        site = await site_queries.require_site(state["site"])
        day = (state["closed_at"] or state["started_at"]).astimezone(ZoneInfo(site["timezone"])).date().isoformat()
        return Response(audit_csv.render(state["report"], timezone=site["timezone"], lang=lang), media_type="text/csv",
                        headers=attachment(audit_csv.file_name(site["name"], day, lang)))

    @post("/{audit_id:int}/scans", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Count one item",
          description="Staff of the count's site. `{tag}`.")
    async def scan(self, request: Request, audit_id: FromPath[int], data: JSONBody[AuditScanIn]) -> AuditScanOut:
        return msgspec.convert(await audits.record_scan(actor=request.user, audit_id=audit_id, tag=data.tag),
                               AuditScanOut)

    @post("/{audit_id:int}/close", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Close a count",
          description="Staff of the count's site. Its report is kept.")
    async def close(self, request: Request, audit_id: FromPath[int]) -> AuditStateOut:
        return msgspec.convert(await audits.close_audit(actor=request.user, audit_id=audit_id), AuditStateOut)


@dataclass
class ScanForm:
    file: UploadFile


class ScanController(Controller):
    path = "/api/scan"
    tags = ["inventory"]

    @post("", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Decode the QR code in a photo",
          description=("Staff. For phones whose browser has no scanner: the image body's size is checked from its "
                       "header before decoding (JPEG up to 50 MP, decoded at a reduced scale; PNG and others about "
                       "13 MP; WebP about 4 MP), else `415 image_too_large`; two decodes at once per worker."))
    async def scan_photo(self, data: MultipartBody[ScanForm]) -> ScanOut:
        """Decodes the QR code in a photo (≤ 5 MB, JPEG/PNG/WebP…); nothing is stored."""
        try:
            content = await data.file.read(scan.MAX_UPLOAD_BYTES + 1)
        finally:
            await data.file.close()  # a spooled temporary file is deleted on close
        scan.check_header(content)  # a bomb is refused here, without a decoding child
        async with decode_slots:  # each decode in a bounded child process (scan_child)
            text = await scan_child.decode_qr_bounded(content)
        return ScanOut(text=text, tag=tag_from_scanned_text(text))


ROUTES: list = [
    ResourceController, LabelController, TagController, MovementController,
    AuditController, ScanController,
]
JOBS: list = []
