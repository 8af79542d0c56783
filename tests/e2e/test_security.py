"""Issue 16 in the browser: the API viewer under the strict CSP, a weak password refused in French
with how to do better, and staff unlocking a learner's sign-in at the desk."""

from __future__ import annotations

import re

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, sign_in


def test_schema_viewer_renders_from_our_own_files_under_the_strict_csp(phone_factory, live_server):
    phone = phone_factory()
    hosts = set()
    phone.page.on("request", lambda request: hosts.add(re.sub(r"^(\w+://[^/]+).*", r"\1", request.url)))
    missing = []
    phone.page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    page = phone.goto("/schema")
    page.locator(".swagger-ui .info .title").get_by_text("fablab").wait_for(timeout=60_000)
    # Swagger UI lays out the whole document (116 paths) before the first tag shows: seconds on a
    # quiet machine, more than the default 10 s beside a second worker's server and browser.
    page.locator(".opblock-tag", has_text="bookings").first.wait_for(timeout=60_000)
    phone.shot("60-schema-swagger")
    assert hosts == {live_server}, hosts
    assert missing == [] and phone.errors() == [], (missing, "no CSP violation, no script error")


def test_a_weak_password_is_refused_in_french_with_how_to_do_better(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as staff:
        created = staff.post("/api/users", json={"name": "Lina Haddad", "login": "lina.h"})
        token = created.json()["invite"]["token"]
    phone = phone_factory(width=360)
    page = phone.goto(f"/#/invite/{token}")
    page.get_by_role("heading", name="Activer mon compte").wait_for()
    for weak, expected in (("password", "trop facile à deviner"), ("lina.h12", "reprendre votre identifiant")):
        page.get_by_label("Nouveau mot de passe").fill(weak)
        page.get_by_label("Répétez le mot de passe").fill(weak)
        page.get_by_role("button", name="Activer mon compte").click()
        page.get_by_text(re.compile(expected)).wait_for()
    assert no_horizontal_scroll(page)
    phone.shot("61-invitation-mot-de-passe-faible")
    page.get_by_label("Nouveau mot de passe").fill("tartine-velo-lune-orange")
    page.get_by_label("Répétez le mot de passe").fill("tartine-velo-lune-orange")
    page.get_by_role("button", name="Activer mon compte").click()
    page.get_by_role("heading", name="Bonjour Lina Haddad").wait_for()
    assert phone.errors(allowed_statuses=(400,)) == []


def test_staff_unlock_a_learners_sign_in_at_the_desk(phone_factory, live_server, database_url):
    learner_phone = phone_factory(width=360)
    page = learner_phone.goto("/#/login")
    statuses = []
    for password in [f"faux-{n}" for n in range(6)] + ["fablab-demo"]:
        page.get_by_label("Identifiant").fill("learner3")
        page.get_by_label("Mot de passe").fill(password)
        with page.expect_response("**/api/auth/login") as answer:
            page.get_by_role("button", name="Se connecter").click()
        statuses.append(answer.value.status)
        page.get_by_role("button", name="Se connecter").and_(page.locator(":enabled")).wait_for()
    assert statuses == [401] * 5 + [429, 429], statuses
    page.get_by_text(re.compile("demandez à l’équipe de le débloquer")).wait_for()
    learner_phone.shot("62-connexion-ralentie")

    desk = phone_factory(width=360)
    sign_in(desk, "staff.vlg")
    staff_page = desk.goto("/#/learners")
    staff_page.locator("summary", has_text="learner3").click()
    staff_page.get_by_text(re.compile("Connexion ralentie")).wait_for()
    assert no_horizontal_scroll(staff_page)
    desk.shot("63-apprenant-connexion-ralentie")
    staff_page.get_by_role("button", name="Débloquer la connexion").click()
    staff_page.get_by_text(re.compile("Connexion débloquée pour")).wait_for()
    staff_page.get_by_role("button", name="Débloquer la connexion").wait_for(state="detached")
    desk.shot("64-apprenant-debloque")
    assert run_sql(database_url, "SELECT count(*) AS n FROM login_attempt WHERE key = 'login:learner3'")[0]["n"] == 0

    page.get_by_label("Mot de passe").fill("fablab-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
    assert desk.errors() == []
    assert learner_phone.errors(allowed_statuses=(401, 429)) == []
