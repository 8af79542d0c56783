"""GET /health: is the app up, does PostgreSQL answer, and can it still write."""

from litestar import Response, get

from fablab import db, storage
from fablab.guards import public


@get("/health", guards=[public], tags=["health"], cache=False)
async def health() -> Response[dict]:
    # "down" only when PostgreSQL itself does not answer (db.ping has its own connection): a pool
    # whose every connection is busy is not an outage.
    if not await db.ping():
        return Response({"status": "degraded", "database": "down"}, status_code=503, headers={"Retry-After": "5"})
    if storage.disk_full_recently():
        return Response({"status": "degraded", "database": "ok", "storage": "full"}, status_code=503,
                        headers={"Retry-After": "60"})
    return Response({"status": "ok", "database": "ok"})
