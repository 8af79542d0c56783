"""The learner import as a French school writes it (issue 28, major 5): French column names, the
site by its name as the app shows it, rows without a site on the site chosen on the screen; and the
admin creates a learner on the site they pick (major 1)."""

from __future__ import annotations

from fablab.platform import db
from tests.support.clients import make_client, sign_in


async def site_of(login: str) -> str:
    return await db.fetchval("SELECT s.slug FROM app_user u JOIN site s ON s.id = u.site_id WHERE u.login = $1", login)


async def test_french_columns_and_the_site_by_its_name(staff_everywhere):
    sheet = ("Nom;Identifiant;Site;Promotion\r\n"
             "Nadia Benali;nadia.b;Villeneuve-la-Garenne;Dev 2027\r\n"
             "Inès Morel;ines.m;pierrefitte-sur-seine;Dev 2027\r\n"
             "Ali Pereira;ali.p;Lyon;Dev 2027\r\n"
             "Zoé Kante;zoe.k;villeneuve;Dev 2027\r\n"
             "Tom Ly;tom.l;P;Dev 2027\r\n")
    rejected = await staff_everywhere.post("/api/users/import", content=sheet.encode("cp1252"),
                                           headers={"content-type": "text/csv"})
    # All or nothing (issue 26): the two unknown sites are named by line, and nobody is created.
    assert rejected.status_code == 400 and rejected.json()["code"] == "import_rejected", rejected.text
    assert [(row["line"], row["login"], row["code"]) for row in rejected.json()["rows"]] == [
        (4, "ali.p", "unknown_site"), (6, "tom.l", "unknown_site")]  # P: Pantin or Pierrefitte?
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE login IN ('nadia.b', 'ines.m', 'zoe.k')") == 0
    fixed = "".join(line + "\r\n" for line in sheet.split("\r\n") if line and "Lyon" not in line and ";P;" not in line)
    response = await staff_everywhere.post("/api/users/import", content=fixed.encode("cp1252"),
                                           headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    outcome = {row["login"]: (row["status"], row.get("code")) for row in response.json()["rows"]}
    assert outcome == {"nadia.b": ("created", None), "ines.m": ("created", None), "zoe.k": ("created", None)}
    assert (await site_of("nadia.b"), await site_of("ines.m"), await site_of("zoe.k")) == ("vlg", "pfs", "vlg")
    assert await db.fetchval("SELECT cohort FROM app_user WHERE login = 'ines.m'") == "Dev 2027"


async def test_rows_without_a_site_go_to_the_site_chosen_on_screen(app, staff_everywhere):
    sheet = "nom,identifiant,promo\nSam Diallo,sam.d,Fab 1\n"
    response = await staff_everywhere.post("/api/users/import", params={"site": "pfs"}, content=sheet.encode(),
                                           headers={"content-type": "text/csv"})
    assert response.json()["created"] == 1, response.text
    assert await site_of("sam.d") == "pfs"
    # Staff of one site cannot send a file to another site by naming it there.
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pfs")
        refused = await other.post("/api/users/import", params={"site": "vlg"}, content=b"nom;identifiant\nZo\xe9;zoe.k\n",
                                   headers={"content-type": "text/csv"})
    assert [row["code"] for row in refused.json()["rows"]] == ["not_your_site"]
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE login = 'zoe.k'") == 0


async def test_a_missing_column_is_named(staff):
    response = await staff.post("/api/users/import", content="Nom;Promotion\nNadia;Dev\n".encode(),
                                headers={"content-type": "text/csv"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_csv"


async def test_the_admin_creates_a_learner_on_the_site_they_pick(admin):
    response = await admin.post("/api/users", json={"name": "Léa Martin", "login": "lea.m", "site": "Pantin"})
    assert response.status_code == 201, response.text
    assert await site_of("lea.m") == "pan"
