"""Reads of the accounts domain: user lists and details, trainings."""

from __future__ import annotations

from datetime import datetime, timezone

from fablab import db

MAX_LIST = 1000

USER_COLUMNS = """
u.id, u.login, u.name, u.role, s.slug AS site, u.site_id, u.cohort, u.active,
(u.password_hash IS NOT NULL) AS activated, u.created_at
"""


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(*, site_ids: list[int] | None, roles: tuple[str, ...], q: str | None,
                     limit: int = MAX_LIST) -> list[dict]:
    """site_ids None: every site (and accounts of none)."""
    conditions, args = ["u.role = ANY($1::text[])", "u.anonymised_at IS NULL"], [list(roles)]
    if site_ids is not None:
        args.append(site_ids)
        conditions.append(f"u.site_id = ANY(${len(args)}::int[])")
    if q:
        args.append(like_pattern(q.strip()))
        n = len(args)
        conditions.append(f"(u.name ILIKE ${n} OR u.login ILIKE ${n} OR u.cohort ILIKE ${n})")
    args.append(limit)
    return await db.fetch(
        f"SELECT {USER_COLUMNS} FROM app_user u LEFT JOIN site s ON s.id = u.site_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY s.slug NULLS FIRST, u.name, u.id LIMIT ${len(args)}",
        *args,
    )


async def user_row(user_id: int) -> dict | None:
    return await db.fetchone(
        f"SELECT {USER_COLUMNS} FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1", user_id)


async def certifications(user_id: int, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    rows = await db.fetch(
        "SELECT c.training_id, t.name AS training, c.granted_at, c.expires_at, g.name AS granted_by "
        "FROM certification c JOIN training t ON t.id = c.training_id "
        "LEFT JOIN app_user g ON g.id = c.granted_by_id WHERE c.user_id = $1 ORDER BY t.name",
        user_id,
    )
    for row in rows:
        row["expired"] = row["expires_at"] is not None and row["expires_at"] <= now
    return rows


async def trainings() -> list[dict]:
    return await db.fetch("SELECT id, name, description FROM training ORDER BY name")


async def site_id(slug: str) -> int | None:
    return await db.fetchval("SELECT id FROM site WHERE slug = $1", slug.strip().lower())
