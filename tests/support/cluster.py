"""A scratch database to measure or torture: on a private embedded cluster or on a given server."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from fablab.platform.embedded_db import EmbeddedPostgres, start_embedded
from fablab.platform.migrate import migrate_forwards


def with_database(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


@dataclass
class ScratchDatabase:
    url: str
    admin_url: str
    # Only a cluster of our own can be stopped and restarted (the --fault runs).
    embedded: EmbeddedPostgres | None
    data_dir: Path | None

    def stop_server(self) -> None:
        if self.embedded is None:
            raise RuntimeError("only the private embedded cluster can be stopped")
        self.embedded.stop()

    def start_server(self) -> None:
        """Start the stopped cluster again on the same port, so the app's DATABASE_URL still holds."""
        if self.embedded is None or self.data_dir is None:
            raise RuntimeError("only the private embedded cluster can be restarted")
        self.embedded = start_embedded(self.data_dir, database="postgres", port=self.embedded.port)


async def _create(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextmanager
def scratch_database(admin_url: str | None = None, *, prefix: str = "fablab_bench", data_dir: Path | None = None):
    """Yield a migrated, empty ScratchDatabase; dropped (and its private cluster removed) afterwards.

    With admin_url (a superuser URL of a server someone else runs), a database of our own is created
    there. Without it, a private cluster is started in a temporary directory (or `data_dir`).
    """
    embedded = None
    own_dir = None
    if admin_url is None:
        if data_dir is None:
            own_dir = data_dir = Path(tempfile.mkdtemp(prefix="fablab-bench-"))
            os.chmod(own_dir, 0o755)  # as root the cluster belongs to another user, who must reach it
        embedded = start_embedded(data_dir, database="postgres")
        admin_url = embedded.admin_url
    name = f"{prefix}_{os.getpid()}"
    asyncio.run(_create(admin_url, name))
    url = with_database(admin_url, name)
    scratch = ScratchDatabase(url=url, admin_url=admin_url, embedded=embedded, data_dir=data_dir)
    try:
        asyncio.run(migrate_forwards(url))
        yield scratch
    finally:
        try:
            if embedded is None or scratch.embedded.started_here:
                asyncio.run(_drop(admin_url, name))
        finally:
            if scratch.embedded is not None:
                scratch.embedded.stop()
            if own_dir is not None:
                shutil.rmtree(own_dir, ignore_errors=True)
