"""HTTP routes of late returns: my suspension, a learner's (staff) and its lift, a site's late policy
(admin). Declares the admission check that refuses a suspended person (fablab/hooks/admission.py)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from fablab.domain import clock
from fablab.hooks import admission
from fablab.accounts import users
from fablab.platform.guards import admin_only, signed_in, staff_only
from fablab.late import queries, service
from fablab.late.rules import LatePolicy
from fablab.late.schemas import LatePolicyIn, LatePolicyOut, LateStatusOut, LiftIn
from fablab.sites import queries as site_queries


async def status_out(user_id: int) -> LateStatusOut:
    return msgspec.convert(await service.status(user_id, clock.now()), LateStatusOut, from_attributes=False)


class MyLateController(Controller):
    path = "/api/me/late-returns"
    tags = ["late returns"]

    @get("", guards=[signed_in], cache=False,
         summary="My late returns and suspension",
         description="Signed in. `suspended`, my suspensions (the active one first: until when and why, or who "
                     "lifted it and why) and my late returns of the last year.")
    async def mine(self, request: Request) -> LateStatusOut:
        return await status_out(request.user.id)


class LearnerLateController(Controller):
    path = "/api/users/{user_id:int}"
    tags = ["late returns"]

    @get("/late-returns", guards=[staff_only], cache=False,
         summary="A learner's late returns and suspensions",
         description="Staff of the learner's site, admins. As `GET /api/me/late-returns`.")
    async def of_learner(self, request: Request, user_id: FromPath[int]) -> LateStatusOut:
        await users.target(request.user, user_id, manage=True)
        return await status_out(user_id)

    @post("/suspension/lift", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Lift a learner's suspension",
          description="Staff of the learner's site, admins. `{reason}` (kept, with who lifted it and when); ends "
                      "their active suspensions at the sites the caller works for. `400 lift_reason_required`, "
                      "`409 not_suspended`.")
    async def lift(self, request: Request, user_id: FromPath[int], data: JSONBody[LiftIn]) -> LateStatusOut:
        await users.target(request.user, user_id, manage=True)
        await service.lift(actor=request.user, user_id=user_id, reason=data.reason)
        return await status_out(user_id)


def policy_out(site: str, policy: LatePolicy) -> LatePolicyOut:
    return LatePolicyOut(site=site, **{field: getattr(policy, field) for field in queries.POLICY_FIELDS})


class LatePolicyController(Controller):
    path = "/api/sites/{slug:str}/late-policy"
    tags = ["late returns"]

    @get("", guards=[admin_only], cache=False,
         summary="A site's late-return rules",
         description="Admin. Grace in minutes, strikes within a window of days, suspension length in days; "
                     "`enabled` false (the default): nothing is recorded.")
    async def show(self, slug: FromPath[str]) -> LatePolicyOut:
        site = await site_queries.require_site(slug)
        return policy_out(site["slug"], await queries.policy_of(site["id"]))

    @put("", guards=[admin_only],
         summary="Set a site's late-return rules",
         description="Admin. `{enabled, grace_minutes, strikes, window_days, suspension_days}`.")
    async def set(self, slug: FromPath[str], data: JSONBody[LatePolicyIn]) -> LatePolicyOut:
        site = await site_queries.require_site(slug)
        policy = LatePolicy(enabled=data.enabled, grace_minutes=data.grace_minutes, strikes=data.strikes,
                            window_days=data.window_days, suspension_days=data.suspension_days)
        return policy_out(site["slug"], await service.set_policy(site_id=site["id"], policy=policy))


ROUTES: list = [MyLateController, LearnerLateController, LatePolicyController]
ADMISSION = [admission.Check(service.refuse_suspended, service.may_be_suspended)]
