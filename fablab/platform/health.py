"""GET /health: is the app up, does PostgreSQL answer, and can it still write."""

import msgspec
from litestar import Response, get

from fablab.platform import db, storage
from fablab.platform.guards import public
from fablab.domain.schemas import Out


class HealthOut(Out):
    status: str  # "ok", or "degraded" (503)
    database: str  # "ok", or "down" when PostgreSQL does not answer
    storage: str | msgspec.UnsetType = msgspec.UNSET  # "full" when the database's disk is (fablab/platform/storage.py)


@get("/health", guards=[public], tags=["health"], cache=False,
     summary="Is the app up, and does PostgreSQL answer",
     description=("Anyone. `200 {status: ok, database: ok}`; `503 {status: degraded, database: down}` only when "
                  "PostgreSQL does not answer (probed on a connection of its own, so a busy pool is not \"down\"); "
                  "`503 {…, database: ok, storage: full}` for 15 s after PostgreSQL refused a write for lack of "
                  "disk space (per worker)."))
async def health() -> Response[HealthOut]:
    # "down" only when PostgreSQL itself does not answer (db.ping has its own connection): a pool
    # whose every connection is busy is not an outage.
    if not await db.ping():
        return Response(HealthOut(status="degraded", database="down"), status_code=503, headers={"Retry-After": "5"})
    if storage.disk_full():
        return Response(HealthOut(status="degraded", database="ok", storage="full"), status_code=503,
                        headers={"Retry-After": "60"})
    return Response(HealthOut(status="ok", database="ok"))
