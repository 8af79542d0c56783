"""Test harness: one PostgreSQL per run, the schema migrated once into a template, a copy of it per
pytest process, the demo data put back before each test, clients per role, one real server per process.

Under pytest-xdist (`scripts/test` runs two workers) the controller starts PostgreSQL and builds the
template once, and hands both to its workers (`pytest_configure_node`); each worker copies the template
into a database of its own and serves it with a server of its own. Run serially (`-n 0`), the one
process does all of it itself. See tests/support/databases.py.
"""

import os

# Settings are read from the environment; set it before anything imports fablab.
os.environ["FABLAB_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["FABLAB_BASE_URL"] = "http://testserver"
os.environ.pop("DATABASE_URL", None)

import copy
import logging
from dataclasses import dataclass

import pytest

from fablab.platform import db
from fablab.app import create_app
from fablab.seed import DEMO_PASSWORD, seed_reference_data
from fablab.platform.settings import load_settings
from tests.support import databases
from tests.support.clients import make_client, running_server, sign_in
from tests.support.demo_passwords import cheap_demo_hash
from tests.support.group_seconds import cost_of_groups



class RunDatabases:
    """The controller's (or the lone process's) PostgreSQL and template, made on first need."""

    def __init__(self) -> None:
        self.cluster: databases.Cluster | None = None
        self.template = f"fablab_template_{os.getpid()}"

    def ensure(self) -> tuple[str, str]:
        if self.cluster is None:
            self.cluster = databases.start_cluster()
            databases.create_template(self.cluster.admin_url, self.template)
        return self.cluster.admin_url, self.template

    def close(self) -> None:
        if self.cluster is None:
            return
        try:
            databases.drop_database(self.cluster.admin_url, self.template)
        finally:
            self.cluster.stop()
            self.cluster = None


def pytest_configure(config):
    config.fablab_databases = RunDatabases()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist's controller, once per worker before it starts: the cluster and template to use."""
    admin_url, template = node.config.fablab_databases.ensure()
    node.workerinput["fablab_admin_url"] = admin_url
    node.workerinput["fablab_template"] = template


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        config.fablab_databases.close()


def pytest_collection_modifyitems(config, items):
    """One xdist group per file unless a test names its own: a file's module fixtures (a server, a
    scratch database) are then made once, on one worker. Under xdist (--dist loadgroup,
    --no-loadscope-reorder), the longest groups start first (tests/support/group_seconds.py)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))

    def group_of(item) -> str:
        marker = item.get_closest_marker("xdist_group")
        return marker.kwargs.get("name") or marker.args[0]

    cost = cost_of_groups(items, group_of)
    items.sort(key=lambda item: -cost[group_of(item)])  # stable: within a group, collection order


def worker_name(config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def pg_cluster(request) -> tuple[str, str]:
    """(a superuser URL of the run's PostgreSQL, the migrated template's name)."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is not None:
        return workerinput["fablab_admin_url"], workerinput["fablab_template"]
    return request.config.fablab_databases.ensure()


@pytest.fixture(scope="session")
def pg_admin_url(pg_cluster):
    return pg_cluster[0]


@pytest.fixture(scope="session")
async def database_url(pg_cluster, request):
    """This process's own copy of the migrated template."""
    admin_url, template = pg_cluster
    name = f"fablab_test_{worker_name(request.config)}_{os.getpid()}"
    url = await databases.clone_template(admin_url, template, name)
    yield url
    await db.close_pool()
    await databases.drop_clone(admin_url, name)


@pytest.fixture(scope="session")
async def pool(database_url):
    db.configure(database_url)
    await db.start_pool(min_size=2, max_size=10)
    yield
    await db.close_pool()


@pytest.fixture(scope="session")
def demo_password_hash():
    """The demo users' password at argon2id's lowest cost (tests/support/demo_passwords.py)."""
    return cheap_demo_hash()


@dataclass(frozen=True)
class DemoData:
    ids: dict
    restore_sql: str


@pytest.fixture(scope="session")
async def demo_snapshot(pool, demo_password_hash) -> DemoData:
    """The demo sites, items, policies and users, seeded once per process, and the SQL that puts them back."""
    async with db.DB.transaction():
        ids = await seed_reference_data(demo_password_hash)
    async with db.DB.pool.acquire() as connection:
        restore_sql = await databases.take_snapshot(connection)
    return DemoData(ids, restore_sql)


@pytest.fixture
async def demo(demo_snapshot):
    """A clean database with the demo sites, items, policies and users (no bookings)."""
    async with db.DB.pool.acquire() as connection:
        await databases.restore(connection, demo_snapshot.restore_sql)
    return copy.deepcopy(demo_snapshot.ids)


@pytest.fixture(scope="session")
def app(database_url):
    settings = load_settings({**os.environ, "DATABASE_URL": database_url})
    return create_app(settings, run_jobs=False)


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


@pytest.fixture(scope="session")
def shared_server(database_url):
    """The real server (`fablab serve`, 2 workers) on this process's database, started once: each test
    that uses it gets the demo data put back like any other (`live_server`).

    Without the periodic jobs: they would run on the real clock against the database this worker's
    in-process tests drive at their own dates (the reminders job purged a push test's sent-log of
    25 November as a week old)."""
    with running_server(database_url, workers=2, FABLAB_PERIODIC_JOBS="off") as (base, _):
        yield base


@pytest.fixture
def live_server(shared_server, demo):
    """The real server as a subprocess with 2 workers, on a free port, over fresh demo data."""
    return shared_server


class ServerErrorRecorder(logging.Handler):
    """Keeps the 500s the app logs (fablab.platform.problems' "unhandled error on ...")."""

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
