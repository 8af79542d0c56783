"""Demo data (its users are in the README) and the first admin. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fablab.domain import clock
from fablab.platform import db
from fablab.accounts.logins import normalise_login
from fablab.accounts.passwords import hash_password
from fablab.bookings.demo import insert_demo_booking
from fablab.consumables.service import seed_demo_consumables
from fablab.sites.defaults import DEFAULT_POLICIES, PRINTER_TRAINING
from fablab.domain.vocabulary import WEEKDAYS

PARIS = ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "fablab-demo"
# The demo sites open Monday to Friday.
WORKING_DAYS = WEEKDAYS[:5]
OPENING_HOURS = {day: [["09:00", "18:00"]] for day in WORKING_DAYS}

DEMO_SITES = [
    ("vlg", "VLG", "Villeneuve-la-Garenne", "Villeneuve-la-Garenne (92)"),
    ("pfs", "PFS", "Pierrefitte-sur-Seine", "Pierrefitte-sur-Seine (93)"),
    ("pan", "PAN", "Pantin", "Pantin (93)"),
]
DEMO_COUNTS = {"laptop": 12, "printer_3d": 2, "room": 3}
ROOM_NAMES = ["Salle Ada Lovelace", "Salle Grace Hopper", "Salle Alan Turing"]
PRINTER_MODELS = ["Prusa MK4", "Bambu Lab A1"]
FIRST_NAMES = [
    "Inès", "Mamadou", "Sofia", "Yanis", "Aïcha", "Kevin", "Fatoumata", "Rayan", "Chloé", "Moussa",
    "Lina", "Bilal", "Sarah", "Adam", "Nour", "Lucas", "Awa", "Hugo", "Yasmine", "Ibrahim",
    "Camille", "Samir", "Maëlys", "Omar", "Léa", "Djibril", "Manon", "Karim", "Emma", "Ousmane",
]
LAST_INITIALS = "BDKMNSTLRCFGH"


def demo_resources(prefix: str) -> list[tuple[str, str, str, dict]]:
    """(kind, tag, name, details) of one demo site."""
    items = []
    for n in range(1, DEMO_COUNTS["laptop"] + 1):
        items.append(("laptop", f"{prefix}-LAP-{n:03d}", f"Portable {n:02d}",
                      {"model": "Lenovo ThinkPad E14", "serial": f"PF{prefix}{n:05d}"}))
    for n in range(1, DEMO_COUNTS["printer_3d"] + 1):
        items.append(("printer_3d", f"{prefix}-P3D-{n:03d}", f"Imprimante 3D {n}",
                      {"model": PRINTER_MODELS[n - 1], "build_volume": "250×210×220 mm", "materials": ["PLA", "PETG"]}))
    for n in range(1, DEMO_COUNTS["room"] + 1):
        items.append(("room", f"{prefix}-ROOM-{n:03d}", ROOM_NAMES[n - 1], {"capacity": 8 + 4 * n}))
    return items


async def upsert_user(*, login: str, name: str, role: str, site_id: int | None, password_hash: str, cohort: str = "") -> int:
    row = await db.fetchone(
        "INSERT INTO app_user (role, name, login, password_hash, site_id, cohort) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (lower(login)) DO NOTHING RETURNING id",
        role, name, login, password_hash, site_id, cohort,
    )
    if row:
        return row["id"]
    return await db.fetchval("SELECT id FROM app_user WHERE lower(login) = lower($1)", login)


async def seed_reference_data(password_hash: str) -> dict:
    """Sites, trainings, policies, resources, users. Returns ids for the booking generator."""
    training_id = await db.fetchval(
        "INSERT INTO training (name, description) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        PRINTER_TRAINING, "Sécurité, trancheur, lancement et surveillance d'une impression.",
    )
    sites = {slug: await _seed_site(slug, prefix, name, address, training_id)
             for slug, prefix, name, address in DEMO_SITES}
    return {"sites": sites, **await _seed_people(sites, training_id, password_hash)}


async def _seed_site(slug: str, prefix: str, name: str, address: str, training_id: int) -> dict:
    """One site with its default policies and demo items; its id, tag prefix and item ids by kind."""
    site_id = await db.fetchval(
        "INSERT INTO site (slug, name, address, opening_hours, contact) VALUES ($1, $2, $3, $4::jsonb, $5) "
        "ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id",
        slug, name, address, json.dumps(OPENING_HOURS), f"fablab.{slug}@example.org",
    )
    site = {"id": site_id, "prefix": prefix, "resources": {}}
    for kind, rules in DEFAULT_POLICIES.items():
        columns = ", ".join(rules)
        placeholders = ", ".join(f"${i}" for i in range(4, len(rules) + 4))
        await db.fetch(
            f"INSERT INTO policy (site_id, kind, training_id, {columns}) VALUES ($1, $2, $3, {placeholders}) "
            "ON CONFLICT (site_id, kind) WHERE resource_id IS NULL DO NOTHING",
            site_id, kind, training_id if kind == "printer_3d" else None, *rules.values(),
        )
    for kind, tag, item_name, details in demo_resources(prefix):
        await db.fetch(
            "INSERT INTO resource (site_id, kind, name, tag, details) VALUES ($1, $2, $3, $4, $5::jsonb) "
            "ON CONFLICT (upper(tag)) DO NOTHING",
            site_id, kind, item_name, tag, json.dumps(details),
        )
    for row in await db.fetch("SELECT id, kind FROM resource WHERE site_id = $1 ORDER BY tag", site_id):
        site["resources"].setdefault(row["kind"], []).append(row["id"])
    return site


async def _seed_people(sites: dict, training_id: int, password_hash: str) -> dict:
    """The admin, one staff account per site, ten learners per site (a third trained on printers)."""
    admin_id = await upsert_user(login="admin", name="Admin fablab", role="admin", site_id=None, password_hash=password_hash)
    staff = {}
    for slug, _, name, _ in DEMO_SITES:
        staff[slug] = await upsert_user(
            login=f"staff.{slug}", name=f"Équipe {name}", role="staff", site_id=sites[slug]["id"],
            password_hash=password_hash,
        )
        # The trigger of migration 0009 grants a new staff account its home site; said here too,
        # so a demo database seeded before that migration gets it.
        await db.fetch("INSERT INTO staff_site (user_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       staff[slug], sites[slug]["id"])
    learners = {slug: [] for slug in sites}
    slugs = [slug for slug, *_ in DEMO_SITES]
    for n in range(1, 31):
        slug = slugs[(n - 1) // 10]  # learner1-10 at vlg, 11-20 at pfs, 21-30 at pan
        name = f"{FIRST_NAMES[n - 1]} {LAST_INITIALS[n % len(LAST_INITIALS)]}."
        user_id = await upsert_user(
            login=f"learner{n}", name=name, role="learner", site_id=sites[slug]["id"],
            password_hash=password_hash, cohort=f"{slug.upper()}-2026",
        )
        learners[slug].append(user_id)
        if n % 3 == 0:  # a third of the learners have the printer training
            await db.fetch(
                "INSERT INTO certification (user_id, training_id, granted_by_id) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                user_id, training_id, staff[slug],
            )
    return {"learners": learners, "staff": staff, "admin": admin_id}


def _open_days_around(today: date, before: int, after: int) -> list[date]:
    days = [today + timedelta(days=offset) for offset in range(-before, after + 1)]
    return [day for day in days if day.weekday() < 5]


async def _add_demo_booking(*, resource_id: int, site_id: int, kind: str, user_id: int, staff_id: int,
                            start: datetime, end: datetime, purpose: str, now: datetime) -> None:
    """One demo booking in the state its times give it now, with the desk's movements."""
    if end <= now:
        status, checked_out, returned = "returned", start, end
    elif start <= now:
        status, checked_out, returned = "checked_out", start, None
    else:
        status, checked_out, returned = "confirmed", None, None
    booking_id = await insert_demo_booking(
        resource_id=resource_id, site_id=site_id, kind=kind, user_id=user_id, starts_at=start, ends_at=end,
        status=status, purpose=purpose, checked_out_at=checked_out, returned_at=returned)
    for movement, at in (("check_out", checked_out), ("check_in", returned)):
        if at:
            await db.fetch(
                "INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, at, condition) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, 'ok')",
                resource_id, movement, booking_id, user_id, staff_id, site_id, at,
            )


ROOM_PURPOSES = ["Révisions en groupe", "Projet fil rouge", "Entretien de stage", "Atelier JavaScript"]


def _room_bookings(room_id: int, learners: list[int], days: list[date], rng: random.Random) -> list[tuple]:
    """About half of each day's hours from 9:00, in blocks of 1 to 3 hours, never overlapping
    (the random draws in the order the demo data has always used)."""
    planned = []
    for day in days:
        hour = 9
        while hour < 17:
            length = rng.choice([1, 1.5, 2, 3])
            if rng.random() < 0.45 and hour + length <= 18:
                start = datetime.combine(day, time(hour), PARIS)
                planned.append((room_id, "room", rng.choice(learners), start, start + timedelta(hours=length),
                                rng.choice(ROOM_PURPOSES)))
            hour += int(length) + 1
    return planned


def _demo_site_bookings(site: dict, learners: list[int], days: list[date], rng: random.Random
                        ) -> list[tuple[int, str, int, datetime, datetime, str]]:
    """(unit, kind, learner, start, end, purpose) of one site's demo week: rooms, six laptops lent
    for 1 to 3 days, printers every other day."""
    planned = []
    for room_id in site["resources"]["room"]:
        planned.extend(_room_bookings(room_id, learners, days, rng))
    for index, laptop_id in enumerate(site["resources"]["laptop"][:6]):
        start_day = days[index % len(days)]
        end_day = start_day + timedelta(days=index % 3)
        planned.append((laptop_id, "laptop", learners[index], datetime.combine(start_day, time(9), PARIS),
                        datetime.combine(end_day, time(18), PARIS), "Travail à la maison"))
    for index, printer_id in enumerate(site["resources"]["printer_3d"]):
        for day in days[index::2]:
            start = datetime.combine(day, time(14), PARIS)
            planned.append((printer_id, "printer_3d", learners[2], start,
                            start + timedelta(hours=rng.choice([2, 3, 5])), "Impression d'un boîtier"))
    return planned


async def seed_demo_bookings(ids: dict, now: datetime) -> int:
    """A week of plausible bookings around today, non-overlapping by construction."""
    if await db.fetchval("SELECT count(*) FROM booking"):
        return 0
    rng = random.Random(2026)
    days = _open_days_around(now.astimezone(PARIS).date(), before=3, after=4)
    count = 0
    async with db.DB.transaction():
        for slug, site in ids["sites"].items():
            for unit, kind, learner, start, end, purpose in _demo_site_bookings(site, ids["learners"][slug], days, rng):
                await _add_demo_booking(resource_id=unit, site_id=site["id"], kind=kind, user_id=learner,
                                        staff_id=ids["staff"][slug], start=start, end=end, purpose=purpose, now=now)
                count += 1
    return count


async def seed_demo(now: datetime | None = None) -> dict:
    now = now or clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    async with db.DB.transaction():
        ids = await seed_reference_data(password_hash)
    ids["bookings"] = await seed_demo_bookings(ids, now)
    ids["consumables"] = await seed_demo_consumables(
        {site["id"]: ids["staff"][slug] for slug, site in ids["sites"].items()})
    return ids


async def seed_demo_command(database_url: str, *, only_if_empty: bool) -> None:
    db.configure(database_url)
    await db.start_pool(min_size=1, max_size=2)
    try:
        if only_if_empty and await db.fetchval("SELECT count(*) FROM site"):
            print("fablab: database already has data; demo seed skipped")
            return
        ids = await seed_demo()
        print(f"fablab: demo data ready ({ids['bookings']} bookings); "
              f"users admin, staff.vlg, staff.pfs, staff.pan, learner1…learner30, "
              f"password {DEMO_PASSWORD!r}", flush=True)
    finally:
        await db.close_pool()


async def create_admin_command(database_url: str, *, login: str, name: str, password: str) -> None:
    db.configure(database_url)
    await db.start_pool(min_size=1, max_size=2)
    try:
        await db.fetch(
            "INSERT INTO app_user (role, name, login, password_hash) VALUES ('admin', $1, $2, $3) "
            "ON CONFLICT (lower(login)) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'admin', active = true",
            name, normalise_login(login), hash_password(password),
        )
    finally:
        await db.close_pool()
