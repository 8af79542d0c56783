"""HTTP routes of the parts domain: parse, call, shape."""

from __future__ import annotations


import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import scope
from fablab.domain import clock
from fablab.platform.guards import signed_in, staff_only
from fablab.parts import queries, service
from fablab.parts.schemas import MissingPartOut, PartIn, PartOut, PartReturnIn


class ItemPartsController(Controller):
    path = "/api/resources/{tag:str}/parts"
    tags = ["parts"]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED, summary="Add a part to an item",
          description=("Staff of the item's site. `{name, tag?}`: a part that travels with the item (charger, "
                       "mouse, spool holder), with its own label if it has one. A part's tag is never an item's or "
                       "another part's (`409 tag_taken`); at most 30 per item."))
    async def add(self, request: Request, tag: FromPath[str], data: JSONBody[PartIn]) -> PartOut:
        """A part's own `tag` is optional, and never one an item or another part has (`409 tag_taken`)."""
        part = await service.add_part(actor=request.user, tag=tag, name=data.name, part_tag=data.tag)
        return msgspec.convert(part, PartOut)

    @delete("/{part_id:int}", guards=[staff_only], status_code=HTTP_204_NO_CONTENT,
            summary="Remove a part from an item",
            description="Staff of the item's site. Its history stays; `409 part_held` while a learner has it.")
    async def remove(self, request: Request, tag: FromPath[str], part_id: FromPath[int]) -> None:
        """Its history stays; `409 part_held` while a learner has it."""
        await service.remove_part(actor=request.user, tag=tag, part_id=part_id)


class PartsController(Controller):
    path = "/api/parts"
    tags = ["parts"]

    @post("/{part_id:int}/return", guards=[staff_only], status_code=HTTP_200_OK,
          summary="A part missing from its item's return comes back",
          description=("Staff of the item's site. `{note}`; recorded as `part_returned` in the movements; `409 "
                       "part_not_missing`."))
    async def give_back(self, request: Request, part_id: FromPath[int], data: JSONBody[PartReturnIn]) -> PartOut:
        part = await service.return_part(actor=request.user, part_id=part_id, note=data.note,
                                         now=clock.now())
        return msgspec.convert(part, PartOut)

    @get("/missing", guards=[staff_only], summary="Parts still held by learners, at the staff's sites",
         description="Staff. `site`: Aujourd'hui's \"Pièces manquantes\".")
    async def missing(self, request: Request, site: FromQuery[str | None] = None) -> list[MissingPartOut]:
        site_ids = await scope.listed_sites(request.user, site)
        return msgspec.convert(await queries.missing_parts(site_ids=site_ids), list[MissingPartOut])


class MyPartsController(Controller):
    path = "/api/me/missing-parts"
    tags = ["parts"]

    @get("", guards=[signed_in], cache=False, summary="The parts I still have to bring back",
         description="Signed in. Shown in \"Mes réservations\".")
    async def mine(self, request: Request) -> list[MissingPartOut]:
        return msgspec.convert(await queries.missing_parts(user_id=request.user.id), list[MissingPartOut])


ROUTES: list = [ItemPartsController, PartsController, MyPartsController]
JOBS: list = []
