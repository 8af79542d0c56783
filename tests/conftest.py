"""Test harness: one migrated database per session, reset before each test, clients per role."""

import os

# Settings are read from the environment; set it before anything imports fablab.
os.environ["FABLAB_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["FABLAB_BASE_URL"] = "http://testserver"
os.environ.pop("DATABASE_URL", None)

import asyncio
import logging
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from fablab import db
from fablab.accounts.passwords import hash_password
from fablab.app import create_app
from fablab.embedded_db import start_embedded
from fablab.migrate import migrate_forwards
from fablab.seed import DEMO_PASSWORD, seed_reference_data
from fablab.settings import load_settings
from tests.support.server import free_port, serve  # noqa: F401 - tests/test_nginx.py imports free_port from here

ROOT = Path(__file__).resolve().parent.parent
# FABLAB_TEST_PG names a server to test on (an admin URL); without it, the embedded cluster.
TEST_SERVER_URL = os.environ.get("FABLAB_TEST_PG")


def _with_database(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_admin_url():
    if TEST_SERVER_URL:
        yield TEST_SERVER_URL
        return
    server = start_embedded(ROOT / "var" / "test", database="postgres")
    yield server.admin_url
    server.stop()


@pytest.fixture(scope="session")
async def database_url(pg_admin_url):
    name = f"fablab_test_{os.getpid()}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(pg_admin_url, name)
    await migrate_forwards(url)
    yield url
    await db.close_pool()
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="session")
async def pool(database_url):
    db.configure(database_url)
    await db.start_pool(min_size=2, max_size=10)
    yield
    await db.close_pool()


@pytest.fixture(scope="session")
def demo_password_hash():
    return hash_password(DEMO_PASSWORD)


@pytest.fixture(scope="session")
async def app_tables(pool):
    """Every table the migrations made, except Piccolo's record of the migrations themselves."""
    rows = await db.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration' ORDER BY 1")
    return ", ".join(f'"{row["tablename"]}"' for row in rows)


@pytest.fixture
async def demo(pool, app_tables, demo_password_hash):
    """A clean database with the demo sites, items, policies and users (no bookings)."""
    await db.fetch(f"TRUNCATE {app_tables} RESTART IDENTITY CASCADE")
    async with db.DB.transaction():
        return await seed_reference_data(demo_password_hash)


@pytest.fixture(scope="session")
def app(database_url):
    settings = load_settings({**os.environ, "DATABASE_URL": database_url})
    return create_app(settings, run_jobs=False)


def make_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def sign_in(client: httpx.AsyncClient, login: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    """Fetch the CSRF cookie, log in, and send the CSRF header from then on."""
    await client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    response = await client.post("/api/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
async def anon(app, demo):
    async with make_client(app) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        yield client


@pytest.fixture
async def learner(app, demo):
    """learner1, at Villeneuve-la-Garenne."""
    async with make_client(app) as client:
        yield await sign_in(client, "learner1")


@pytest.fixture
async def other_learner(app, demo):
    """learner2, also at Villeneuve-la-Garenne."""
    async with make_client(app) as client:
        yield await sign_in(client, "learner2")


@pytest.fixture
async def staff(app, demo):
    """staff.vlg."""
    async with make_client(app) as client:
        yield await sign_in(client, "staff.vlg")


@pytest.fixture
async def staff_everywhere(app, demo):
    """staff.vlg, granted every site (PUT /api/users/{id}/sites is the admin's way; the table here)."""
    await db.fetch("INSERT INTO staff_site (user_id, site_id) SELECT u.id, s.id FROM app_user u CROSS JOIN site s "
                   "WHERE u.login = 'staff.vlg' ON CONFLICT DO NOTHING")
    async with make_client(app) as client:
        yield await sign_in(client, "staff.vlg")


@pytest.fixture
async def admin(app, demo):
    async with make_client(app) as client:
        yield await sign_in(client, "admin")


@contextmanager
def running_server(database_url: str, workers: int = 2, **env_overrides):
    """Run `fablab serve` as a subprocess on a free port until the block ends; yields (base URL, port).

    The same start as the benchmarks' (tests/support/server.py)."""
    with serve(database_url, workers=workers, **env_overrides) as server:
        yield server.base, server.port


@pytest.fixture
def live_server(database_url, demo, request):
    """The real server (`fablab serve`) as a subprocess with 2 workers, on a free port."""
    with running_server(database_url, workers=getattr(request, "param", 2)) as (base, _):
        yield base


class ServerErrorRecorder(logging.Handler):
    """Keeps the 500s the app logs (fablab.problems' "unhandled error on ...")."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("unhandled error on"):
            self.records.append(record)


@pytest.fixture(autouse=True)
def no_logged_server_error(request):
    """Fails the test during which the app logged a 500, whatever the test asserted: a client
    must never be able to cause one (issue 16). Tests that provoke one on purpose say so with
    @pytest.mark.server_error_expected."""
    recorder = ServerErrorRecorder()
    logger = logging.getLogger("fablab")
    logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
    if recorder.records and request.node.get_closest_marker("server_error_expected") is None:
        formatter = logging.Formatter()
        pytest.fail("the app logged a 500:\n" + "\n".join(
            formatter.format(record) for record in recorder.records), pytrace=False)
