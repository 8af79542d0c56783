"""HTTP clients on the app: in-process (ASGI) per role, and the real server as a subprocess."""

from __future__ import annotations

from contextlib import contextmanager

import httpx

from fablab.seed import DEMO_PASSWORD
from tests.support.server import serve


def make_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def sign_in(client: httpx.AsyncClient, login: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    """Fetch the CSRF cookie, log in, and send the CSRF header from then on."""
    await client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    response = await client.post("/api/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return client


@contextmanager
def running_server(database_url: str, workers: int = 2, **env_overrides):
    """Run `fablab serve` as a subprocess on a free port until the block ends; yields (base URL, port).

    The same start as the benchmarks' (tests/support/server.py)."""
    with serve(database_url, workers=workers, **env_overrides) as server:
        yield server.base, server.port
