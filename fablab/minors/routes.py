"""HTTP routes of minors and consents: a minor's record, guardians, consents signed on the staff phone
or on paper, their revocation and signature, a site's consent text, the consents about to expire, the
minors' retention. Declares the admission checks (consent_required, too_young) and the reminder job."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.accounts import privacy
from fablab.accounts.schemas import RetentionOut
from fablab.desk import signature
from fablab.domain.errors import InvalidInput
from fablab.platform.guards import admin_only, staff_only
from fablab.minors import gates, queries, reminders, rules, service
from fablab.minors.schemas import (
    ConsentIn, ConsentOut, ConsentTextIn, ConsentTextOut, ExpiringConsentOut, GuardianIn, GuardianOut,
    MinorPersonOut, MinorRecordOut, MinorsRetentionIn,
)
from fablab.sites.queries import require_site

NO_STORE = CacheControlHeader(no_store=True)


def consent_out(row: dict) -> ConsentOut:
    return ConsentOut(
        id=row["id"], site=row["site"], guardian=row["guardian_id"], guardian_name=row["guardian_name"],
        covers=rules.covers_of(row), starts_on=row["starts_on"], expires_on=row["expires_on"], method=row["method"],
        text_version=row["text_version"], text_seen=row["text_seen"], signed=row["signed"],
        signed_hash=row["signed_hash"], recorded_at=row["recorded_at"], recorded_by=row["recorded_by"],
        revoked_at=row["revoked_at"], revoked_by=row["revoked_by"], reminded_at=row["reminded_at"],
        signature=f"/api/consents/{row['id']}/signature.png" if row["signed"] else None)


def shaped(row: dict, shape: type):
    """The row as the response shape, its other columns (ids, time zones) left out."""
    return msgspec.convert({name: row[name] for name in shape.__struct_fields__}, shape, from_attributes=True)


def _png(given) -> bytes | None:
    if given is None:
        return None
    if given.png:
        return signature.checked_png(signature.png_from_data_url(given.png))
    if given.strokes:
        return signature.checked_png(signature.png_from_strokes(given.strokes))
    raise InvalidInput("The signature is empty: the guardian must sign.", code=codes.INVALID_SIGNATURE)


class MinorController(Controller):
    path = "/api/users/{user_id:int}"
    tags = ["minors"]

    @get("/minor", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A minor's record: guardians and consents",
         description=("Staff of the person's site. Age, whether a minor today, guardians, consents (newest first) "
                      "and what today's valid consents cover, with the site's consent text to sign."))
    async def record(self, request: Request, user_id: FromPath[int]) -> MinorRecordOut:
        row = await service.record(request.user, user_id)
        text = row["consent_text"]
        return MinorRecordOut(
            person=shaped(row["person"], MinorPersonOut), age=row["age"], minor=row["minor"],
            guardians=[shaped(guardian, GuardianOut) for guardian in row["guardians"]],
            consents=[consent_out(consent) for consent in row["consents"]], covered_today=row["covered_today"],
            consent_text=None if text is None else shaped(text, ConsentTextOut))

    @post("/guardians", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Add a minor's guardian",
          description=("Staff of the person's site. `{name, relation?, phone?, email?}`: a phone or an e-mail at "
                       "least (`400 guardian_unreachable`); `409 not_a_minor` for someone 18 or over."))
    async def add_guardian(self, request: Request, user_id: FromPath[int], data: JSONBody[GuardianIn]) -> GuardianOut:
        row = await service.add_guardian(actor=request.user, person_id=user_id, name=data.name,
                                         relation=data.relation, phone=data.phone, email=data.email)
        return shaped(row, GuardianOut)

    @delete("/guardians/{guardian_id:int}", guards=[staff_only], status_code=HTTP_204_NO_CONTENT,
            summary="Remove a minor's guardian",
            description="Staff of the person's site. Consents they gave stay, with their name.")
    async def remove_guardian(self, request: Request, user_id: FromPath[int], guardian_id: FromPath[int]) -> None:
        await service.remove_guardian(actor=request.user, person_id=user_id, guardian_id=guardian_id)

    @post("/consents", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Record a guardian's consent: signed on this phone, or a paper form received",
          description=("Staff of the person's site. `{covers: [participation | image_rights | emergency_care], "
                       "starts_on?, expires_on? (default: 31 August, the school year's end), guardian?, "
                       "signature?: {png | strokes}, text_version?}`. With `signature`: the guardian signed the "
                       "site's current consent text now (`text_version` the one shown: `409 consent_text_changed`, "
                       "`no_consent_text`); the text, version, signature and a SHA-256 are kept. Without: a paper "
                       "form received, recorded with who and when. `400 invalid_consent`, `invalid_signature`."))
    async def give(self, request: Request, user_id: FromPath[int], data: JSONBody[ConsentIn]) -> ConsentOut:
        given = service.ConsentGiven(covers=list(data.covers), starts_on=data.starts_on, expires_on=data.expires_on,
                                     guardian_id=data.guardian, png=_png(data.signature),
                                     text_version=data.text_version)
        return consent_out(await service.give(actor=request.user, person_id=user_id, given=given))


class ConsentController(Controller):
    path = "/api/consents"
    tags = ["minors"]

    @post("/{consent_id:int}/revoke", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Revoke a consent",
          description="Staff of the person's site. From now on it covers nothing (`409 already_revoked`).")
    async def revoke(self, request: Request, consent_id: FromPath[int]) -> ConsentOut:
        return consent_out(await service.revoke(actor=request.user, consent_id=consent_id))

    @get("/{consent_id:int}/signature.png", guards=[staff_only], media_type="image/png", cache=False,
         cache_control=NO_STORE,
         summary="A signed consent's drawn signature",
         description="Staff of the person's site. The PNG kept with the consent (`404 unknown_consent`).")
    async def signature_image(self, request: Request, consent_id: FromPath[int]) -> Response[bytes]:
        png = await service.signature_png(actor=request.user, consent_id=consent_id)
        return Response(png, media_type="image/png")

    @get("/expiring", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="Consents about to expire",
         description=("Staff: the consents of their sites' people (one site with `site`) ending within 30 days "
                      "and not renewed, soonest first, with the guardian's e-mail and when they were reminded."))
    async def expiring(self, request: Request, site: FromQuery[str | None] = None) -> list[ExpiringConsentOut]:
        actor = request.user
        if site is not None:
            site_row = await require_site(site)
            scope.require_site(actor, site_row["id"], "This site")
            site_ids = [site_row["id"]]
        else:
            site_ids = None if actor.is_admin else sorted(actor.site_ids)
        rows = await reminders.expiring(site_ids, clock.now().date())
        return [ExpiringConsentOut(
            id=row["id"], person=row["person_id"], person_name=row["person_name"], person_login=row["person_login"],
            site=row["site"], expires_on=row["expires_on"], covers=row["covers"], guardian_name=row["guardian_name"],
            guardian_email=row["guardian_email"] or None, reminded_at=row["reminded_at"]) for row in rows]


class ConsentTextController(Controller):
    path = "/api/sites/{slug:str}/consent-text"
    tags = ["minors"]

    @get("", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A site's consent text",
         description="Staff. The current version guardians sign; `null` while the site has none.")
    async def current(self, slug: FromPath[str]) -> ConsentTextOut | None:
        site = await require_site(slug)
        row = await queries.current_text(site["id"])
        return None if row is None else shaped(row, ConsentTextOut)

    @put("", guards=[admin_only], status_code=HTTP_200_OK,
         summary="Write a site's consent text",
         description="Admin. `{text}`: a new version (the old ones stay: signed consents cite them).")
    async def write(self, request: Request, slug: FromPath[str], data: JSONBody[ConsentTextIn]) -> ConsentTextOut:
        row = await service.write_text(actor=request.user, slug=slug, text=data.text)
        return shaped(row, ConsentTextOut)


class MinorsRetentionController(Controller):
    path = "/api/admin/minors-retention"
    tags = ["admin"]

    @get("", guards=[admin_only], cache=False,
         summary="How long minors' guardians and consents are kept",
         description="Admin. Days after a consent ended (expired or revoked) before it, its signature and the "
                     "guardians left without one are deleted; never longer than the general retention.")
    async def show(self) -> RetentionOut:
        days, is_default = await privacy.minors_retention()
        return RetentionOut(days=days, is_default=is_default)

    @put("", guards=[admin_only],
         summary="Set the minors' retention period",
         description="Admin. `{days}` (30 to 3650).")
    async def set(self, data: JSONBody[MinorsRetentionIn]) -> RetentionOut:
        await privacy.set_minors_retention(data.days)
        return RetentionOut(days=data.days, is_default=False)


ROUTES: list = [MinorController, ConsentController, ConsentTextController, MinorsRetentionController]
ADMISSION = [admission.Check(gates.admit_minor, gates.may_concern)]
REMINDER_SOURCES = reminders.REMINDER_SOURCES  # the guardian told a consent expires (fablab/domain/reminder_types.py)
