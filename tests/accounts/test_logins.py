"""One login normalisation everywhere (issue 16 §4): NFKC + casefold, trimmed, one alphabet, stored
so, unique; the same fold at creation, CSV import, sign-in, lookups by login and throttling."""

from pathlib import Path

import asyncpg
import pytest

from fablab.platform import db
from fablab.accounts.logins import fold, lookup_form, normalise_login
from fablab.domain.errors import InvalidInput
from fablab.seed import DEMO_PASSWORD
from tests.support.paths import ROOT

pytestmark = pytest.mark.pg_engine

MIGRATION = ROOT / "migrations" / "schema_0010_logins.sql"


@pytest.mark.parametrize("typed, stored", [
    ("  Nadia.B ", "nadia.b"), ("ＮＡＤＩＡ", "nadia"), ("ﬁona", "fiona"), ("STRASSE", "strasse"), ("Straße", "strasse"),
])
def test_spellings_fold_to_one_login(typed, stored):
    assert normalise_login(typed) == stored and lookup_form(typed) == stored


@pytest.mark.parametrize("typed", ["admİn", "İRİS.MİMİ", "inès", "a", "nadia b", "nadia\u200b", ".nadia", "x" * 65, ""])
def test_logins_outside_the_alphabet_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        normalise_login(typed)
    assert refused.value.code == "invalid_login"
    assert lookup_form(typed) is None


def test_dotted_capital_i_does_not_fold_to_plain_i():
    assert fold("admİn") != "admin" and fold("İ") == "i\u0307"


async def test_creation_stores_the_folded_login_and_keeps_it_unique(staff):
    created = await staff.post("/api/users", json={"name": "Nadia B.", "login": "  ＮＡＤＩＡ.b "})
    assert created.status_code == 201, created.text
    assert created.json()["user"]["login"] == "nadia.b"
    for twin in ("NADIA.B", "nadia.b ", "ｎａｄｉａ.ｂ"):
        again = await staff.post("/api/users", json={"name": "Other", "login": twin})
        assert again.status_code == 409 and again.json()["code"] == "login_taken", twin
    refused = await staff.post("/api/users", json={"name": "Admin bis", "login": "admİn"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_login"
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE name IN ('Other', 'Admin bis')") == 0


async def test_csv_import_folds_logins_the_same_way(staff):
    body = "name;login\nYasmine K.;  YASMINE.K \nBis;yasmine.k\nIris;İRİS\n".encode()
    rejected = await staff.post("/api/users/import", content=body, headers={"content-type": "text/csv"})
    # The second spelling folds onto the first row's login; the dotted capital I is no login at all.
    # The import is all or nothing (issue 26): both lines are named and nobody is created.
    assert rejected.status_code == 400, rejected.text
    assert [(row["line"], row["code"]) for row in rejected.json()["rows"]] == [(3, "login_taken"), (4, "invalid_login")]
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE name = 'Yasmine K.'") == 0
    response = await staff.post("/api/users/import", content="name;login\nYasmine K.;  YASMINE.K \n".encode(),
                                headers={"content-type": "text/csv"})
    assert [(row["status"], row.get("code")) for row in response.json()["rows"]] == [("created", None)]
    assert await db.fetchval("SELECT login FROM app_user WHERE name = 'Yasmine K.'") == "yasmine.k"


async def test_sign_in_and_lookups_by_login_use_the_fold(anon, staff):
    assert (await anon.post("/api/auth/login", json={"login": " ＬＥＡＲＮＥＲ１ ", "password": DEMO_PASSWORD})).status_code == 200
    booked = await staff.post("/api/bookings", json={
        "resource": "VLG-ROOM-001", "user": "LEARNER1", "override_policy": True,
        "starts_at": "2026-12-15T10:00:00+01:00", "ends_at": "2026-12-15T11:00:00+01:00"})
    assert booked.status_code == 201, booked.text
    assert (await staff.get("/api/movements", params={"user": "Learner1"})).status_code == 200
    unknown = await staff.post("/api/bookings", json={
        "resource": "VLG-ROOM-002", "user": "learnİr1", "override_policy": True,
        "starts_at": "2026-12-15T10:00:00+01:00", "ends_at": "2026-12-15T11:00:00+01:00"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_user"


async def test_the_database_refuses_a_login_that_is_not_folded(demo):
    with pytest.raises(asyncpg.CheckViolationError):
        await db.fetch("INSERT INTO app_user (role, name, login) VALUES ('learner', 'X', 'Nadia')")


async def test_migration_0010_folds_existing_logins_and_renames_collisions(demo):
    """Run the migration's SQL on rows written before it (its CHECK dropped first), then undo."""
    conn = await asyncpg.connect(db.DB.config["dsn"])
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE app_user DROP CONSTRAINT app_user_login_folded")
            ids = {}
            for login in (" Sam.K", "ＺＯＥ", "zoe2", "Zoé", "ﬁona", "fiona "):
                ids[login] = await conn.fetchval(
                    "INSERT INTO app_user (role, name, login) VALUES ('learner', 'x', $1) RETURNING id", login)
            await conn.execute(MIGRATION.read_text())
            logins = {login: await conn.fetchval("SELECT login FROM app_user WHERE id = $1", ids[login]) for login in ids}
            assert logins == {" Sam.K": "sam.k", "ＺＯＥ": "zoe", "zoe2": "zoe2", "Zoé": f"compte-{ids['Zoé']}",
                              "ﬁona": "fiona", "fiona ": f"compte-{ids['fiona ']}"}
            assert await conn.fetchval("SELECT login FROM app_user WHERE login = 'admin'") == "admin"
            raise RuntimeError("roll back")
    except RuntimeError as error:
        assert str(error) == "roll back"
    finally:
        await conn.close()
