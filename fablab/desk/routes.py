"""HTTP routes of the desk's workflows: check-out and check-in, loan agreements, hand-overs of several items, receipts."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.bookings.schemas import BookingOut
from fablab.desk import agreements, checkin, checkout, handovers, queries, receipts, signature
from fablab.desk.schemas import (
    AgreementIn, AgreementOut, CheckinDryRunOut, CheckinIn, CheckinOut, CheckoutIn, CheckoutOut, HandoverBriefOut,
    HandoverDetailOut, HandoverIn, HandoverOut, SignatureIn,
)
from fablab.domain.errors import InvalidInput, NotFound
from fablab.platform.guards import admin_only, signed_in, staff_only
from fablab.inventory import queries as inventory_queries
from fablab.domain.vocabulary import Kind
from fablab.web.download import attachment


class AgreementController(Controller):
    path = "/api/sites"
    tags = ["desk"]

    @get("/{slug:str}/agreement", guards=[signed_in],
         summary="A site's loan agreement",
         description="Signed in. The current version; `null` while the site has none (nothing to sign).")
    async def current(self, slug: FromPath[str]) -> AgreementOut | None:
        return msgspec.convert(await agreements.current(slug), AgreementOut | None)

    @put("/{slug:str}/agreement", guards=[admin_only], status_code=HTTP_200_OK,
         summary="Write a site's loan agreement",
         description=("Admin. `{text, every_loan}`: a new version (the old ones stay, receipts cite them). "
                      "`every_loan: true`: learners sign at every loan; else once per version."))
    async def write(self, request: Request, slug: FromPath[str], data: JSONBody[AgreementIn]) -> AgreementOut:
        if not data.text.strip():
            raise InvalidInput("The agreement needs a text.", code=codes.INVALID_INPUT)
        written = await agreements.write(actor=request.user, slug=slug, text=data.text, every_loan=data.every_loan)
        return msgspec.convert(written, AgreementOut)


def _signed(data: HandoverIn) -> handovers.Signed:
    given: SignatureIn | None = data.signature
    if given is None:
        return handovers.Signed(None, data.agreement_version)
    if given.png:
        png = signature.png_from_data_url(given.png)
    elif given.strokes:
        png = signature.png_from_strokes(given.strokes)
    else:
        raise InvalidInput("The signature is empty: the learner must sign.", code=codes.INVALID_SIGNATURE)
    return handovers.Signed(signature.checked_png(png), data.agreement_version)


def handover_out(result: dict) -> HandoverOut:
    items = [{key: value for key, value in item.items() if key != "site_id"} for item in result["items"]]
    if result["dry_run"]:
        items = [{**item, "booking": None} for item in items]
        return msgspec.convert({**result, "items": items, "id": None, "signed": False, "agreement_version": None},
                               HandoverOut)
    return msgspec.convert({**result, "items": items, "receipt": receipt_path(result["id"])}, HandoverOut)


def user_ref(text: str) -> int | str:
    # An id (ASCII digits, within PostgreSQL's integer) or a login; isdigit() alone accepts '²'.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text


def receipt_path(handover_id: int, kind: str = "receipt") -> str:
    return f"/api/handovers/{handover_id}/{kind}.pdf"


async def _visible(request: Request, handover_id: int) -> dict:
    """The hand-over, for its learner or the staff of its site; to anyone else it does not exist."""
    handover = await queries.require_handover(handover_id)
    own = handover["user"] is not None and handover["user"]["id"] == request.user.id
    if not own and not scope.acts_for_site(request.user, handover["site_id"]):
        raise NotFound(f"No hand-over {handover_id}.", code=codes.UNKNOWN_HANDOVER)
    return handover


async def _pdf(request: Request, handover_id: int, render, name: str) -> Response[bytes]:
    handover = await _visible(request, handover_id)
    pdf = await asyncio.to_thread(render, handover)  # reportlab is CPU work: off the event loop
    return Response(pdf, media_type="application/pdf", headers=attachment(f"{name}-{handover_id}.pdf", inline=True))


class CheckoutController(Controller):
    path = "/api"
    tags = ["inventory"]

    @post("/checkouts", guards=[staff_only], status_code=HTTP_201_CREATED,
          responses={HTTP_200_OK: ResponseSpec(CheckoutOut, description="A dry run: who would get it until when")},
          summary="Hand an item over at the desk",
          description=("Staff of its site. `{tag, user or pass or booking, due_at?, note, dry_run?, parts?}`: to "
                       "the booking's holder, or a walk-up loan when the item is free (`409 already_checked_out`; "
                       "`422 maintenance_overdue`). Without `due_at` a walk-up ends at the policy's walk-up time; "
                       "while the site is closed that is `400 due_at_required` with a `suggested_due_at`. `parts`: "
                       "the ids ticked at the desk (the others are recorded as not handed over; omitted, every part "
                       "at the desk goes; `400 unknown_part`, `409 part_held`). `dry_run: true` checks everything "
                       "and answers `200` with the holder and `due_at`, lending nothing."))
    async def check_out(self, request: Request, data: JSONBody[CheckoutIn]) -> Response[CheckoutOut]:
        """`dry_run: true` answers 200 with the holder and return time a check-out would give, and lends nothing."""
        result = await checkout.check_out(
            actor=request.user, tag=data.tag, user_ref=data.user, pass_token=data.pass_token,
            booking_id=data.booking, due_at=data.due_at, note=data.note, dry_run=data.dry_run, parts=data.parts,
        )
        return Response(msgspec.convert(result, CheckoutOut),
                        status_code=HTTP_200_OK if data.dry_run else HTTP_201_CREATED)

    @get("/checkouts", guards=[staff_only],
         summary="Items out now",
         description="Staff. `user`, `site`, `overdue`, within their sites.")
    async def open_checkouts(
        self, request: Request, user: FromQuery[str | None] = None, site: FromQuery[str | None] = None,
        kind: FromQuery[Kind | None] = None, overdue: FromQuery[bool | None] = None,
    ) -> list[BookingOut]:
        """Items out now at the staff's sites: `?user=12` (or a login) what a learner holds,
        `?site=pan&overdue=true` what is late."""
        site_ids = await scope.listed_sites(request.user, site)
        user_id = (await inventory_queries.require_user(user_ref(user)))["id"] if user else None
        return await inventory_queries.list_checkouts(now=clock.now(), user_id=user_id, site_ids=site_ids, kind=kind,
                                                      overdue=overdue)

    @post("/checkins", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Take an item back at the desk",
          description=("Staff of its site. `{tag, condition: ok|damaged|incomplete, note, missing_parts?, "
                       "consumables?, outcome?, dry_run?}`; `409 not_checked_out`. Damaged items go to maintenance. "
                       "`missing_parts`: parts that went with the loan and did not come back (the return is "
                       "`incomplete`, each stays held by the learner; `400 unknown_part`, `400 part_not_lent`). "
                       "`consumables` `[{id, quantity}]` and `outcome` (3D printers) record what the loan used, in "
                       "`consumption`; `dry_run` answers with the budget warnings and changes nothing. An early "
                       "return offers the freed time to the waitlist."))
    async def check_in(self, request: Request, data: JSONBody[CheckinIn]) -> CheckinOut | CheckinDryRunOut:
        """`consumables` and `outcome` (3D printers) record what the loan used; `dry_run: true` answers
        with the budget warnings (`consumption.warnings`) and changes nothing. `missing_parts`: the
        parts that did not come back (the return is then incomplete)."""
        given = dict(actor=request.user, tag=data.tag, condition=data.condition, note=data.note,
                     consumables=data.consumables, outcome=data.outcome, missing_parts=data.missing_parts)
        if data.dry_run:
            return msgspec.convert(await checkin.check_in_dry_run(**given), CheckinDryRunOut)
        return msgspec.convert(await checkin.check_in(**given), CheckinOut)


class HandoverController(Controller):
    path = "/api/handovers"
    tags = ["desk"]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          responses={HTTP_200_OK: ResponseSpec(HandoverOut, description="A dry run: what would be lent")},
          summary="Lend several items to one learner in one confirmation",
          description=(
              "Staff of the items' site. `{learner or pass, items: [{tag, parts?}], due_at?, signature?: {png | "
              "strokes}, agreement_version?, dry_run?}`. All or nothing: one item that cannot go (`409 "
              "already_checked_out`, `resource_unavailable`, `booking_conflict`, `422 maintenance_overdue`, ...) "
              "lends none, and the refusal names it (`item`). Each item follows the single check-out's rules "
              "(its booking, else a walk-up). When the learner has not signed the site's current agreement (or "
              "it is signed at every loan), a hand-over without `signature` is `422 agreement_required` with the "
              "`agreement` and the `items` to show; with it, the signature, text, version, items, parts, staff, "
              "time and a SHA-256 over them are kept (`400 invalid_signature` for an empty one; `409 "
              "agreement_changed` when a newer version was written meanwhile). `dry_run: true` answers 200 with "
              "what would be lent and the `agreement` to sign, lending nothing."))
    async def lend(self, request: Request, data: JSONBody[HandoverIn]) -> Response[HandoverOut]:
        result = await handovers.lend(
            actor=request.user, items=[handovers.Item(item.tag, item.parts) for item in data.items],
            learner=data.learner, pass_token=data.pass_token, due_at=data.due_at, signed=_signed(data),
            dry_run=data.dry_run)
        return Response(handover_out(result), status_code=HTTP_200_OK if data.dry_run else HTTP_201_CREATED)

    @get("", guards=[signed_in],
         summary="My hand-overs",
         description=("Signed in: one's own hand-overs as a learner, newest first, with the bookings each lent and "
                      "its receipts. Staff: `user` (id or login) for a learner of their sites."))
    async def mine(self, request: Request, user: FromQuery[str | None] = None) -> list[HandoverBriefOut]:
        user_id = request.user.id
        if user is not None:
            if not request.user.is_staff:
                raise NotFound("No such user.", code=codes.UNKNOWN_USER)
            person = await inventory_queries.require_user(user_ref(user))
            scope.require_person(request.user, person)
            user_id = person["id"]
        rows = await queries.user_handovers(user_id)
        return [HandoverBriefOut(**row, receipt=receipt_path(row["id"]),
                                 return_receipt=receipt_path(row["id"], "return")) for row in rows]

    @get("/{handover_id:int}", guards=[signed_in],
         summary="One hand-over",
         description="Its learner, or staff of its site (else `404 unknown_handover`): items, parts, returns.")
    async def detail(self, request: Request, handover_id: FromPath[int]) -> HandoverDetailOut:
        handover = await _visible(request, handover_id)
        fields = ("id", "site", "at", "due_at", "agreement_version", "agreement_text", "signed_hash")
        return msgspec.convert({
            **{key: handover[key] for key in fields}, "holder": handover["user"], "staff": handover["staff"],
            "signed": bool(handover["signature_png"]), "receipt": receipt_path(handover_id),
            "return_receipt": receipt_path(handover_id, "return"),
            "items": [{"tag": item["tag"], "name": item["name"], "booking": item["booking_id"],
                       **{key: item[key] for key in ("due_at", "status", "returned_at", "condition", "parts",
                                                     "missing_parts")}} for item in handover["items"]],
        }, HandoverDetailOut)

    @get("/{handover_id:int}/receipt.pdf", guards=[signed_in], media_type="application/pdf",
         summary="The receipt of a hand-over, PDF",
         description="Its learner, or staff of its site: items, parts, return times, the agreement and signature.")
    async def receipt(self, request: Request, handover_id: FromPath[int]) -> Response[bytes]:
        return await _pdf(request, handover_id, receipts.loan_receipt, "recu-pret")

    @get("/{handover_id:int}/return.pdf", guards=[signed_in], media_type="application/pdf",
         summary="The return receipt of a hand-over, PDF",
         description="Its learner, or staff of its site: each item back (when, condition, parts missing) or not yet.")
    async def return_receipt(self, request: Request, handover_id: FromPath[int]) -> Response[bytes]:
        return await _pdf(request, handover_id, receipts.return_receipt, "recu-retour")


ROUTES: list = [CheckoutController, AgreementController, HandoverController]
JOBS: list = []
# A loan needs the site's agreement signed, whatever path lends it (fablab/hooks/admission.py).
ADMISSION = [admission.Check(agreements.agreement_signed, agreements.may_need_signature)]
