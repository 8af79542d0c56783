"""No password a French speaker would guess (issue 26, item 6): French words and names, AZERTY
walks and the site's own words count in zxcvbn's estimate; the refusal speaks French first."""

from __future__ import annotations

import pytest

from fablab.platform import db
from fablab.accounts import strength
from fablab.accounts.strength import WeakPassword, check_new_password
from fablab.seed import DEMO_PASSWORD


async def _invite(client, *, name: str, login: str, role: str = "learner") -> str:
    body = {"name": name, "login": login, "role": role, "site": "vlg"}
    created = await client.post("/api/users", json=body)
    assert created.status_code == 201, created.text
    return created.json()["invite"]["token"]


async def _accept(anon, token: str, password: str):
    return await anon.post(f"/api/invites/{token}/accept", json={"password": password})


@pytest.mark.parametrize(("password", "role", "name"), [
    ("Wxcvbn2026", "staff", "Karim Haddad"),   # AZERTY's bottom row and a year
    ("ecoleduweb1", "staff", "Karim Haddad"),  # the school's own name
    ("azer1234", "learner", "Nadia Benali"),   # AZERTY's top row and a sequence
    (DEMO_PASSWORD, "learner", "Nadia Benali"),  # the README's demo password
    ("lena2027", "learner", "Léna Martin"),    # her own name without its accent, and next year
])
async def test_the_passwords_the_issue_saw_accepted_are_refused_through_the_api(admin, anon, password, role, name):
    token = await _invite(admin, name=name, login="new.person", role=role)
    response = await _accept(anon, token, password)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "weak_password" and body["reason"] in ("guessable", "login_based")
    assert body["detail"].startswith("Mot de passe") or body["detail"].startswith("Le mot de passe"), "French first"
    assert await db.fetchval("SELECT password_hash FROM app_user WHERE login = 'new.person'") is None


@pytest.mark.parametrize("password", [
    "qsdfghjk", "Azertyui!", "wxcvbn123", "poiuytreza", "bonjour2025", "chocolat12",
    "Marseille13", "doudou2020", "Pantin2026",
])
def test_french_words_and_azerty_walks_are_guessable_for_a_learner(password):
    with pytest.raises(WeakPassword) as refused:
        check_new_password(password, login="nadia.b", role="learner", name="Nadia Benali")
    assert refused.value.extra["reason"] == "guessable"


@pytest.mark.parametrize("password", ["Villeneuve-la-Garenne1", "pierrefitte93", "fablabvlg!"])
def test_the_sites_own_words_are_guessable(password):
    with pytest.raises(WeakPassword):
        check_new_password(password, login="karim.h", role="staff", name="Karim Haddad",
                           words=("vlg", "Villeneuve-la-Garenne", "pfs", "Pierrefitte-sur-Seine"))


@pytest.mark.parametrize(("password", "role"), [
    ("tartine-velo-lune-orange", "staff"), ("mon-velo-rouge", "learner"), ("trois pommes sur le vélo", "staff"),
    ("Girafe7Parapluie!Cornichon", "admin"),
])
def test_a_phrase_of_unrelated_words_still_passes(password, role):
    check_new_password(password, login="nadia.b", role=role, name="Nadia Benali")


def test_names_count_with_and_without_accents():
    assert strength.plain("Léna ÉLOÏSE") == "lena eloise"
    with pytest.raises(WeakPassword) as refused:
        check_new_password("Eloise2026", login="e.dupont", role="learner", name="Éloïse Dupont")
    assert refused.value.extra["reason"] in ("guessable", "login_based")


async def test_the_demo_seed_keeps_its_password_but_the_api_refuses_it(admin, anon):
    """The seed sets fablab-demo directly (the demo must stay easy to try); no person can choose it."""
    token = await _invite(admin, name="Karim Haddad", login="karim.h", role="staff")
    assert (await _accept(anon, token, DEMO_PASSWORD)).json()["reason"] == "guessable"
    assert (await _accept(anon, token, "Girafe7Parapluie!Cornichon")).status_code == 200
    signed_in = await anon.post("/api/auth/login", json={"login": "learner1", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 200, "the demo users still sign in with the demo password"
