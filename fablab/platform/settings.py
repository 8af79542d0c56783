"""Settings read from the environment once, validated with a clear message for each bad value."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting has a value we cannot run with; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    base_url: str
    port: int
    secret_key: str
    workers: int
    allowed_hosts: tuple[str, ...]
    debug: bool = False
    bench_routes: bool = False
    # The periodic jobs (reminders, waitlist offers, no-shows…) run in every worker, one at a time by
    # advisory lock. Off for a server whose database something else drives the clock of: the tests'.
    periodic_jobs: bool = True
    # Sessions last a working day; learners re-login on their phone each morning at worst.
    session_hours: int = 12
    max_body_bytes: int = 6 * 1024 * 1024
    # The embedded PostgreSQL's port (FABLAB_PG_PORT); None: a free one, picked at its first start.
    pg_port: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def base_host(self) -> str:
        return urlsplit(self.base_url).hostname or "127.0.0.1"


def _int_setting(environ: dict, name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _database_url(environ: dict) -> str | None:
    raw = environ.get("DATABASE_URL") or None
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SettingsError(
            f"DATABASE_URL must start with postgresql://, got scheme {parts.scheme!r}"
        )
    if not parts.path.strip("/"):
        raise SettingsError("DATABASE_URL must name a database, e.g. postgresql://host/fablab")
    return raw


def _base_url(environ: dict, port: int) -> str:
    raw = environ.get("FABLAB_BASE_URL") or f"http://127.0.0.1:{port}"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"FABLAB_BASE_URL must be an http(s) URL such as https://fablab.example.org, got {raw!r}"
        )
    return raw.rstrip("/")


def load_settings(environ: dict | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    port = _int_setting(environ, "FABLAB_PORT", 8000, 1, 65535)
    workers = _int_setting(environ, "FABLAB_WORKERS", 1, 1, 64)
    base_url = _base_url(environ, port)
    secret_key = environ.get("FABLAB_SECRET_KEY") or ""
    if secret_key and len(secret_key) < 32:
        raise SettingsError("FABLAB_SECRET_KEY must be at least 32 characters long")
    if not secret_key:
        if base_url.startswith("https://"):
            raise SettingsError("FABLAB_SECRET_KEY is required when FABLAB_BASE_URL is https")
        # Development only: every worker must share it, so the CLI exports it before forking.
        secret_key = secrets.token_urlsafe(48)
    hosts_raw = environ.get("FABLAB_ALLOWED_HOSTS", "")
    allowed_hosts = tuple(h.strip() for h in hosts_raw.split(",") if h.strip())
    if not allowed_hosts:
        host = urlsplit(base_url).hostname or "127.0.0.1"
        # Tests name their own host through FABLAB_BASE_URL or FABLAB_ALLOWED_HOSTS.
        allowed_hosts = tuple(sorted({host, "127.0.0.1", "localhost"}))
    return Settings(
        database_url=_database_url(environ),
        data_dir=Path(environ.get("FABLAB_DATA_DIR") or "var").resolve(),
        base_url=base_url,
        port=port,
        secret_key=secret_key,
        workers=workers,
        allowed_hosts=allowed_hosts,
        debug=environ.get("FABLAB_DEBUG", "") in ("1", "true", "yes"),
        bench_routes=environ.get("FABLAB_BENCH_ROUTES", "") in ("1", "true", "yes"),
        periodic_jobs=environ.get("FABLAB_PERIODIC_JOBS", "on").strip().lower() not in ("0", "off", "false", "no"),
        # Some hosts allow only a known range of ports; PostgreSQL runs unprivileged, hence >= 1024.
        pg_port=_int_setting(environ, "FABLAB_PG_PORT", 0, 1024, 65535) or None,
    )
