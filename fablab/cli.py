"""The `fablab` command: serve, migrate, seed, createadmin, report, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from contextlib import contextmanager

import asyncpg

from fablab.platform.settings import Settings, SettingsError, load_settings
from fablab.domain.vocabulary import KINDS


def fail(message: str) -> None:
    print(f"fablab: {message}", file=sys.stderr)
    raise SystemExit(2)


@contextmanager
def database(settings: Settings, *, exclusive: bool = False, supervise: bool = False, owner: dict | None = None):
    """Yield a database URL: DATABASE_URL's, or the embedded cluster's (stopped afterwards if ours).

    `exclusive` (serve, restore): refuse when another fablab process owns the embedded cluster.
    `supervise` (serve): restart the embedded PostgreSQL whenever it dies, for as long as we run.
    """
    if settings.database_url:
        yield settings.database_url
        return
    from fablab.platform.embedded_db import ClusterInUse, EmbeddedPostgresError, start_embedded

    try:
        server = start_embedded(settings.data_dir, port=settings.pg_port, exclusive=exclusive, owner=owner)
    except ClusterInUse as error:
        fail(str(error))
    except (EmbeddedPostgresError, OSError) as error:
        fail(f"cannot start the embedded PostgreSQL in {settings.data_dir / 'pg'}: {error}")
    if supervise:
        server.supervise()
    try:
        yield server.url()
    finally:
        server.stop()


def check_reachable(database_url: str) -> None:
    async def probe() -> None:
        connection = await asyncpg.connect(database_url, timeout=5)
        await connection.close(timeout=5)

    try:
        asyncio.run(probe())
    except Exception as error:  # any failure here has one cause for the operator: no database
        fail(f"cannot connect to the database: {error or type(error).__name__}")


def confirm(question: str) -> bool:
    """Ask on the terminal; without one (a script, a pipe) the answer is no."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "o", "oui")
    except EOFError:
        return False


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.platform.migrate import migrate_backwards, migrate_forwards

    with database(settings, owner={"command": "migrate"}) as url:
        check_reachable(url)
        if args.backwards:
            if not args.yes and not confirm(
                    f"Undo every migration of {_database_label(url)}? This drops every table and all their data."):
                fail("nothing undone: migrate --backwards drops all data; confirm, or pass --yes")
            asyncio.run(migrate_backwards(url))
            print("fablab: migrations rolled back")
        else:
            asyncio.run(migrate_forwards(url))
            print("fablab: database is up to date")


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.seed import seed_demo_command

    if not args.demo:
        fail("nothing to seed: use --demo for the demo data")
    with database(settings) as url:
        check_reachable(url)
        asyncio.run(seed_demo_command(url, only_if_empty=args.if_empty))


def cmd_createadmin(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.seed import create_admin_command

    from fablab.accounts.logins import normalise_login
    from fablab.accounts.strength import check_new_password
    from fablab.domain.errors import DomainError

    password = os.environ.get("FABLAB_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    try:
        check_new_password(password, login=normalise_login(args.login), role="admin", name=args.name)
    except DomainError as error:
        fail(error.detail)
    with database(settings) as url:
        check_reachable(url)
        asyncio.run(create_admin_command(url, login=args.login, name=args.name, password=password))
        print(f"fablab: admin {args.login!r} ready")


def cmd_report(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.domain.errors import DomainError
    from fablab.reports.cli import report_command

    with database(settings) as url:
        check_reachable(url)
        try:
            text = asyncio.run(report_command(url, site=args.site, first=args.first, last=args.last,
                                              output=args.format, table=args.table, kind=args.kind))
        except DomainError as error:
            fail(error.detail)
    sys.stdout.write(text)


def _database_label(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"database {parts.path.lstrip('/')!r} on {parts.hostname}:{parts.port or 5432}"


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.platform.backup import BackupError, backup

    with database(settings, owner={"command": "backup"}) as url:
        check_reachable(url)
        try:
            size = backup(url, args.file, embedded=settings.database_url is None)
        except BackupError as error:
            fail(str(error))
    print(f"fablab: {_database_label(url)} saved to {args.file} ({size / 1024:.0f} KiB)")


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.platform.backup import BackupError, restore

    if not os.path.isfile(args.file):
        fail(f"no backup file {args.file}")
    # No server may write to the database while it is being filled.
    with database(settings, exclusive=True, owner={"command": "restore"}) as url:
        check_reachable(url)
        try:
            restore(url, args.file, embedded=settings.database_url is None)
        except BackupError as error:
            fail(str(error))
    print(f"fablab: {args.file} restored into {_database_label(url)}; `fablab serve` migrates it if it is older")


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(0)


# Seconds requests in progress get to finish on SIGTERM; the pool, the jobs and the embedded
# PostgreSQL then stop within a few more (db.CLOSE_TIMEOUT_S, embedded_db._stop_postmaster).
SHUTDOWN_GRACE_S = 5


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from fablab.platform import server_protocol, storage
    from fablab.platform.migrate import migrate_forwards
    from fablab.push.settings import push_settings
    from fablab.platform.mail import load_smtp_settings

    try:
        # A typo in the mail settings must stop the start, not the first reminder hours later.
        load_smtp_settings()
        server_protocol.header_timeout()
        server_protocol.body_timeout()
        push_settings()  # checks FABLAB_VAPID_*, and makes the key once before the workers start (issue 20)
    except SettingsError as error:
        fail(f"bad setting: {error}")
    port = args.port or settings.port
    workers = args.workers or settings.workers
    # This process owns the embedded cluster (a second server on the same data dir refuses at once)
    # and restarts its PostgreSQL if it dies.
    with database(settings, exclusive=True, supervise=True, owner={"command": "serve", "http_port": port}) as url:
        if settings.database_url is None:
            # We own the data dir, so its earlier run is gone: end what it left (workers holding the port).
            from fablab.platform.supervision import end_earlier_run

            end_earlier_run(settings.data_dir)
            # /health reads the free space of the disk PostgreSQL writes to (fablab/platform/storage.py).
            os.environ[storage.DATABASE_DIR_ENV] = str(settings.data_dir / "pg")
        check_reachable(url)
        asyncio.run(migrate_forwards(url))
        if args.seed_demo_if_empty:
            from fablab.seed import seed_demo_command

            asyncio.run(seed_demo_command(url, only_if_empty=True))
        # Workers are separate processes: they must share the database and the secret key.
        os.environ["DATABASE_URL"] = url
        os.environ["FABLAB_SECRET_KEY"] = settings.secret_key
        os.environ.setdefault("FABLAB_BASE_URL", settings.base_url)
        print(f"fablab: serving on http://{args.host}:{port} with {workers} worker(s)", flush=True)
        # uvicorn shuts down on SIGTERM (systemd stop), then raises the signal again with the handler
        # it found: with the default one the process dies there and the embedded PostgreSQL is never
        # stopped. Exiting through SystemExit runs the `with database(...)` cleanup instead.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        _serve_http(args.host, port, workers)


def _serve_http(host: str, port: int, workers: int) -> None:
    """uvicorn.run's two paths, with our supervisor for several workers (fablab/platform/supervision.py)."""
    import uvicorn

    from fablab.platform import server_protocol
    from fablab.platform.supervision import Supervisor

    proxies = trusted_proxies()
    config = uvicorn.Config(
        "fablab.app:create_served_app", factory=True, host=host, port=port, workers=workers,
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
        log_level=os.environ.get("FABLAB_LOG_LEVEL", "info"), access_log=False,
        # Slow or greedy clients: deadlines for request heads and bodies and a bound on a head's
        # size (server_protocol), idle keep-alive connections closed after 5 s, and a cap on
        # connections plus requests per worker (503 beyond it).
        http=server_protocol.PROTOCOL, timeout_keep_alive=5, limit_concurrency=server_protocol.LIMIT_CONCURRENCY,
        h11_max_incomplete_event_size=server_protocol.MAX_HEAD_BYTES,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    if workers > 1:
        Supervisor(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    server.run()
    if not server.started:  # the port is taken, or the app failed to start: as uvicorn.run says it
        raise SystemExit(3)


def trusted_proxies() -> str:
    """FABLAB_TRUSTED_PROXIES: the proxies whose X-Forwarded-For/-Proto are believed (comma-separated
    addresses or networks). None by default (issue 26): with 127.0.0.1 trusted, anything on the
    machine could name any client address and reset or spend others' sign-in counts. Behind the
    nginx of deploy/, deploy/env.example names it."""
    return ",".join(part.strip() for part in os.environ.get("FABLAB_TRUSTED_PROXIES", "").split(",") if part.strip())


def _arg(*names: str, **options) -> tuple[tuple[str, ...], dict]:
    return names, options


def _command(commands, name: str, help_text: str, handler, *arguments: tuple[tuple[str, ...], dict]) -> None:
    parser = commands.add_parser(name, help=help_text)
    for names, options in arguments:
        parser.add_argument(*names, **options)
    parser.set_defaults(handler=handler)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fablab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _command(commands, "serve", "migrate and serve the app", cmd_serve,
             _arg("--host", default="127.0.0.1"), _arg("--port", type=int), _arg("--workers", type=int),
             _arg("--seed-demo-if-empty", action="store_true", help="load the demo data into an empty database"))
    _command(commands, "migrate", "bring the database schema up to date", cmd_migrate,
             _arg("--backwards", action="store_true", help="undo every migration (drops all data; asks first)"),
             _arg("--yes", action="store_true", help="do not ask for confirmation"))
    _command(commands, "backup", "save the whole database to FILE (pg_dump's custom format)", cmd_backup, _arg("file"))
    _command(commands, "restore", "load a backup FILE into an empty database", cmd_restore, _arg("file"))
    _command(commands, "seed", "load data", cmd_seed,
             _arg("--demo", action="store_true", help="the demo sites, items, users and bookings"),
             _arg("--if-empty", action="store_true", help="only when the database has no site yet"))
    _command(commands, "createadmin", "create an admin (password from FABLAB_ADMIN_PASSWORD or prompt)",
             cmd_createadmin, _arg("login"), _arg("--name", default="Administrateur"))
    _command(commands, "report", "print a site's utilisation report for a period", cmd_report,
             _arg("--site", required=True, help="site slug, e.g. vlg"),
             _arg("--from", dest="first", help="first day, YYYY-MM-DD (default: this week)"),
             _arg("--to", dest="last", help="last day, YYYY-MM-DD, included"),
             _arg("--kind", choices=KINDS),
             _arg("--format", choices=("table", "csv", "json"), default="table"),
             _arg("--table", choices=("kinds", "resources", "overdue", "heatmap"), default="resources",
                  help="the table --format csv prints"))
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        fail(f"bad setting: {error}")
    if getattr(args, "port", None) is not None and not 1 <= args.port <= 65535:
        fail("--port must be between 1 and 65535")
    if getattr(args, "workers", None) is not None and not 1 <= args.workers <= 64:
        fail("--workers must be between 1 and 64")
    args.handler(settings, args)


if __name__ == "__main__":
    main()
