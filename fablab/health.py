"""GET /health: is the app up, and does PostgreSQL answer."""

from litestar import Response, get

from fablab import db
from fablab.guards import public


@get("/health", guards=[public], tags=["health"], cache=False)
async def health() -> Response[dict]:
    if await db.ping():
        return Response({"status": "ok", "database": "ok"})
    return Response({"status": "degraded", "database": "down"}, status_code=503, headers={"Retry-After": "5"})
