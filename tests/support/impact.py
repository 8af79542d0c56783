"""The impact report's fixture (issue 29, Must show): 3 sites, 40 participants, 2 partners, 15 workshops,
written straight into the tables (no workshops API needed), as plain SQL statements that both the
in-process tests (asyncpg) and the browser tests (tests.support.browser.run_sql) run.

Period of the report: 1 September – 31 October 2026 (local days), seen on 30 October 2026 at noon,
Paris time. tests/reports/test_impact_report.py holds the figures computed by hand from these lines.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}
NOW = datetime(2026, 10, 30, 12, 0, tzinfo=PARIS)

# key → (site, name, kind)
PARTNERS = {
    "ml": ("vlg", "Mission Locale Seine-Ouest", "mission_locale"),
    "e2c": ("pfs", "École de la 2e Chance 93", "e2c"),
}

# (number, site, birth date "YYYY-MM-DD" or a year "YYYY" or None, status (None: no participant row),
#  partner key, role). p01–p16 at Villeneuve, p17–p30 at Pierrefitte, p31–p40 at Pantin.
PARTICIPANTS = [
    (1, "vlg", "2010-09-15", "neet", "ml", "participant"),
    (2, "vlg", "2010-09-14", "pupil", "ml", "participant"),
    (3, "vlg", "2008-01-10", "job_seeker", "ml", "participant"),
    (4, "vlg", "2000-05-01", "job_seeker", "ml", "participant"),
    (5, "vlg", "2010", "pupil", "ml", "participant"),
    (6, "vlg", "2005-05-05", "neet", "ml", "participant"),
    (7, "vlg", "2005-05-05", "neet", "ml", "participant"),
    (8, "vlg", "2005-05-05", "neet", "ml", "participant"),
    (9, "vlg", "2001-10-12", "neet", None, "participant"),
    (10, "vlg", "2005-05-05", "neet", None, "participant"),
    (11, "vlg", "2012-03-03", "pupil", None, "participant"),
    (12, "vlg", "2009-06-30", "pupil", None, "participant"),
    (13, "vlg", "2005-02-02", "student", None, "participant"),
    (14, "vlg", None, "unknown", None, "participant"),
    (15, "vlg", "2005-05-05", "neet", None, "participant"),
    (16, "vlg", "2003-11-11", "employed", None, "participant"),
    (17, "pfs", "2007-09-08", "neet", "e2c", "participant"),
    (18, "pfs", "2007-09-09", "neet", "e2c", "participant"),
    (19, "pfs", "2008-09-09", "pupil", "e2c", "participant"),
    (20, "pfs", "2006-01-01", "job_seeker", "e2c", "participant"),
    (21, "pfs", "2004-04-04", "trainee", "e2c", "participant"),
    (22, "pfs", "2000", "job_seeker", "e2c", "participant"),
    (23, "pfs", "2005-05-05", "neet", "e2c", "participant"),
    (24, "pfs", "1995-07-07", "job_seeker", "e2c", "participant"),
    (25, "pfs", "2002-12-24", "other", None, "participant"),
    (26, "pfs", "2005-05-05", "neet", None, "participant"),
    (27, "pfs", "2011-10-06", "pupil", None, "participant"),
    (28, "pfs", "2010-10-07", "pupil", None, "participant"),
    (29, "pfs", None, "unknown", None, "participant"),
    (30, "pfs", "2005-05-05", "neet", None, "participant"),
    (31, "pan", "2009-09-01", "pupil", None, "participant"),
    (32, "pan", "2003-03-03", "student", None, "participant"),
    (33, "pan", "2003-03-03", "student", None, "participant"),
    (34, "pan", "2010-01-01", "pupil", None, "participant"),
    (35, "pan", "2008", "neet", None, "participant"),
    (36, "pan", "1990-01-01", "employed", None, "participant"),
    (37, "pan", "2005-05-05", "neet", None, "participant"),
    (38, "pan", "2006-06-06", "job_seeker", None, "participant"),
    (39, "pan", "2008-10-15", None, None, "learner"),
    (40, "pan", None, "student", None, "learner"),
]

# key → (site, title, target hours)
COURSES = {
    "laser": ("vlg", "Parcours découpe laser", 12),
    "drone": ("pan", "Fabriquer un drone", 35),
    "couture": ("pfs", "Parcours couture", 20),
}

# key → (site, title, local start, hours, capacity, cancelled, course key)
WORKSHOPS = {
    "W1": ("vlg", "Découpe laser : prise en main", "2026-06-15 09:00", 6, 10, False, "laser"),
    "W2": ("vlg", "Découpe laser : une boîte", "2026-09-14 09:00", 6, 10, False, "laser"),
    "W3": ("vlg", "Découpe laser : une lampe", "2026-10-12 09:00", 6, 10, False, "laser"),
    "W4": ("vlg", "Impression 3D", "2026-09-21 14:00", 3, 12, False, None),
    "W5": ("vlg", "Arduino", "2026-10-05 14:00", 3, 8, False, None),
    "W6": ("vlg", "Brodeuse numérique", "2026-10-19 14:00", 3, 8, True, None),
    "W7": ("pfs", "Découpe vinyle", "2026-09-08 09:30", 3, 12, False, None),
    "W8": ("pfs", "Couture numérique", "2026-09-22 09:30", 3, 12, False, None),
    "W9": ("pfs", "Réparer son téléphone", "2026-10-06 09:30", 3, 10, False, None),
    "W10": ("pfs", "Soudure", "2026-10-20 09:30", 3, 10, False, None),
    "W11": ("pfs", "Robotique", "2026-10-31 09:30", 3, 10, False, None),
    "W12": ("pan", "Drone : le châssis", "2026-09-09 14:00", 3, 10, False, "drone"),
    "W13": ("pan", "Drone : l'électronique", "2026-09-23 14:00", 3, 10, False, "drone"),
    "W14": ("pan", "Créer son site web", "2026-10-14 14:00", 4, 8, False, None),
    "W15": ("pan", "Nuit du code", "2026-09-01 00:30", 2, 10, False, None),
}

FULL = "full"
# (workshop, person (pNN, vNN, or None: forgotten by the retention), status, attendance: None (not
# marked), FULL, or (minutes after the start they came, minutes after the start they left)).
REGISTRATIONS = [
    ("W1", "p01", "registered", FULL), ("W1", "p04", "registered", FULL), ("W1", "p05", "registered", None),
    ("W2", "p01", "registered", FULL), ("W2", "p02", "registered", FULL), ("W2", "p03", "registered", (60, 360)),
    ("W2", "p04", "registered", FULL), ("W2", "p06", "registered", None), ("W2", "p07", "waiting", None),
    ("W2", "p08", "cancelled", None),
    ("W3", "p02", "registered", FULL), ("W3", "p04", "registered", (0, 240)), ("W3", "p09", "registered", FULL),
    ("W3", "p10", "registered", None),
    *[("W4", who, "registered", FULL) for who in ("p05", "p11", "p12", "p13", "p14", "v01", None)],
    ("W4", "p15", "registered", None),
    *[("W5", who, "registered", FULL) for who in ("p11", "p16", "p01")],
    ("W6", "p12", "cancelled", None), ("W6", "p13", "cancelled", None),
    *[("W7", f"p{n}", "registered", FULL) for n in range(17, 23)], ("W7", "p23", "registered", None),
    *[("W8", who, "registered", FULL) for who in ("p17", "p18", "p24", "p25")], ("W8", "p26", "registered", None),
    *[("W9", who, "registered", FULL) for who in ("p27", "p28", "p29", "v02")], ("W9", "p30", "registered", None),
    ("W10", "p17", "registered", None), ("W10", "p27", "registered", None),
    ("W11", "p17", "registered", None),
    *[("W12", f"p{n}", "registered", FULL) for n in range(31, 36)],
    *[("W13", who, "registered", FULL) for who in ("p31", "p32", "p36")], ("W13", "p37", "registered", None),
    ("W14", "p38", "registered", FULL), ("W14", "p39", "registered", FULL), ("W14", "p40", "registered", (0, 120)),
    ("W15", "p31", "registered", FULL),
]

# (visitor, site, local time their day pass was made)
VISITORS = [
    ("v01", "vlg", "2026-09-21 13:50"), ("v02", "pfs", "2026-10-06 09:20"),
    ("v03", "pan", "2026-08-20 10:00"), ("v04", "vlg", "2026-10-28 15:00"),
]


def local(text: str) -> str:
    """A local Paris time as a timestamptz literal PostgreSQL reads with its zone."""
    return f"'{text}:00 Europe/Paris'::timestamptz"


def site(slug: str) -> str:
    return f"(SELECT id FROM site WHERE slug = '{slug}')"


def person(key: str) -> str:
    return f"(SELECT id FROM app_user WHERE login = 'impact-{key}')"


def people_statements() -> list[str]:
    statements = [
        f"INSERT INTO partner (site_id, name, kind) VALUES ({site(slug)}, '{name.replace(chr(39), chr(39) * 2)}', '{kind}')"
        for slug, name, kind in PARTNERS.values()]
    for number, slug, birth, status, partner, role in PARTICIPANTS:
        key = f"p{number:02d}"
        birth_date = f"'{birth}'" if birth and len(birth) == 10 else "NULL"
        birth_year = birth[:4] if birth else "NULL"
        statements.append(
            f"INSERT INTO app_user (role, name, login, site_id, birth_date, birth_year) VALUES "
            f"('{role}', 'Jeune {number:02d}', 'impact-{key}', {site(slug)}, {birth_date}, {birth_year})")
        if status is not None:
            partner_id = (f"(SELECT id FROM partner WHERE name = '{PARTNERS[partner][1].replace(chr(39), chr(39) * 2)}')"
                          if partner else "NULL")
            statements.append(f"INSERT INTO participant (user_id, partner_id, status) VALUES ({person(key)}, {partner_id}, '{status}')")
    for key, slug, made in VISITORS:
        statements.append(f"INSERT INTO app_user (role, name, login, site_id, created_at) VALUES "
                          f"('visitor', 'Visiteur {key[1:]}', 'impact-{key}', {site(slug)}, {local(made)})")
    return statements


def workshop_statements() -> list[str]:
    statements = [f"INSERT INTO course (site_id, title, target_hours) VALUES ({site(slug)}, '{title}', {hours})"
                  for slug, title, hours in COURSES.values()]
    for key, (slug, title, start, hours, capacity, cancelled, course) in WORKSHOPS.items():
        course_id = f"(SELECT id FROM course WHERE title = '{COURSES[course][1]}')" if course else "NULL"
        cancelled_at = f"{local(start)} - interval '3 days'" if cancelled else "NULL"
        statements.append(
            "INSERT INTO workshop (site_id, course_id, title, description, starts_at, ends_at, capacity, status, cancelled_at) "
            f"VALUES ({site(slug)}, {course_id}, '{title.replace(chr(39), chr(39) * 2)}', '{key}', {local(start)}, "
            f"{local(start)} + interval '{hours} hours', {capacity}, '{'cancelled' if cancelled else 'scheduled'}', "
            f"{cancelled_at})")
    return statements


def registration_statements() -> list[str]:
    statements = []
    for key, who, status, came in REGISTRATIONS:
        workshop = f"(SELECT id FROM workshop WHERE description = '{key}')"
        user = person(who) if who else "NULL"
        seat = "'open'" if status == "registered" else "NULL"
        cancelled = "now()" if status == "cancelled" else "NULL"
        statements.append(f"INSERT INTO registration (workshop_id, user_id, status, seat, cancelled_at) "
                          f"VALUES ({workshop}, {user}, '{status}', {seat}, {cancelled})")
        if came is not None:
            hours = WORKSHOPS[key][3]
            arrive, leave = (0, hours * 60) if came == FULL else came
            statements.append(
                "INSERT INTO attendance (registration_id, arrived_at, left_at) "
                f"SELECT r.id, w.starts_at + interval '{arrive} minutes', w.starts_at + interval '{leave} minutes' "
                f"FROM registration r JOIN workshop w ON w.id = r.workshop_id "
                f"WHERE r.id = (SELECT max(id) FROM registration)")
    statements.append("UPDATE workshop w SET seats_taken = (SELECT count(*) FROM registration r "
                      "WHERE r.workshop_id = w.id AND r.status = 'registered')")
    return statements


def impact_statements() -> list[str]:
    """Every statement of the fixture, in order."""
    return [*people_statements(), *workshop_statements(), *registration_statements()]
