"""Late returns and trainings that expire in the browser (issue 31), at 360 px: the learner sees why
and until when they are suspended and their trainings' ends; staff lift the suspension on the
learner's record with a reason, which stays written there; the admin sets the site's late-return
rules and a training's validity. Screenshots: /tmp/late-*.png."""

from __future__ import annotations

import re

from tests.support.browser import no_horizontal_scroll, run_sql, serious_violations, sign_in

LOGIN = "learner3"  # holds the printer training in the demo data
REASON = "Stage en entreprise, retours justifiés"


def suspend(database_url: str) -> dict:
    [person] = run_sql(database_url, "SELECT id, name FROM app_user WHERE login = $1", LOGIN)
    run_sql(database_url,
            "INSERT INTO suspension (user_id, site_id, starts_at, ends_at, strikes, window_days) "
            "SELECT $1, id, now() - interval '1 day', now() + interval '13 days', 3, 30 FROM site WHERE slug = 'vlg'",
            person["id"])
    run_sql(database_url, "UPDATE training SET validity = 'idle', idle_days = 180")
    return person


def test_the_learner_sees_the_suspension_and_staff_lift_it_with_a_reason(phone_factory, database_url):
    person = suspend(database_url)
    learner = phone_factory(width=360)
    sign_in(learner, LOGIN)
    page = learner.page
    block = page.locator(".late-suspended")
    block.get_by_role("heading", name="Réservations et emprunts suspendus").wait_for()
    assert re.search(r"Après 3 retours en retard en 30 jours, vous ne pouvez plus réserver ni emprunter au fablab "
                     r"de Villeneuve-la-Garenne jusqu’au .+\d\d:\d\d\.", block.inner_text())
    trainings = page.locator(".my-trainings")
    trainings.get_by_role("heading", name="Mes formations").wait_for()
    assert "Impression 3D – bases" in trainings.inner_text() and "prolongée à chaque réservation" in trainings.inner_text()
    page.wait_for_load_state("networkidle")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path="/tmp/late-1-learner-suspended.png", full_page=True)

    staff = phone_factory(width=360)
    sign_in(staff, "staff.vlg")
    desk = staff.goto("/#/learners")
    desk.get_by_label("Chercher").fill(LOGIN)
    desk.get_by_text("1 apprenant·e", exact=True).wait_for()
    desk.locator("summary", has_text=person["name"]).click()
    record = desk.locator(".late-record")
    record.get_by_role("heading", name="Retards et suspension").wait_for()
    assert "Suspendu·e au fablab de Villeneuve-la-Garenne jusqu’au" in record.inner_text()
    staff.page.screenshot(scale="css", path="/tmp/late-2-staff-record.png", full_page=True)
    record.get_by_role("button", name="Lever la suspension").click()
    assert record.get_by_label("Motif de la levée").evaluate("el => el.validity.valueMissing")  # a reason first
    record.get_by_label("Motif de la levée").fill(REASON)
    record.get_by_role("button", name="Lever la suspension").click()
    record.get_by_text("Suspension levée.").wait_for()
    record.get_by_text("Aucune suspension en cours.").wait_for()
    assert REASON in record.inner_text() and "Équipe Villeneuve-la-Garenne" in record.inner_text()
    assert no_horizontal_scroll(desk)
    assert serious_violations(desk) == []
    staff.page.screenshot(scale="css", path="/tmp/late-3-staff-lifted.png", full_page=True)
    kept = run_sql(database_url, "SELECT lift_reason, lifted_at IS NOT NULL AS lifted FROM suspension WHERE user_id = $1",
                   person["id"])
    assert [(row["lift_reason"], row["lifted"]) for row in kept] == [(REASON, True)]

    page.reload()
    page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
    page.locator(".my-trainings").wait_for()
    assert page.locator(".late-suspended").count() == 0
    page.screenshot(scale="css", path="/tmp/late-4-learner-lifted.png", full_page=True)
    assert learner.errors() == [] and staff.errors() == []


def test_the_admin_sets_late_rules_and_a_trainings_validity(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/admin/trainings")
    page.get_by_text("Valable sans limite").click()
    page.get_by_label("Validité").select_option("idle")
    page.get_by_label("Jours sans réservation avant expiration").fill("180")
    page.get_by_role("button", name="Enregistrer la validité").click()
    page.get_by_text("Validité enregistrée : Impression 3D – bases.").wait_for()
    page.get_by_text("Expire après 180 jours sans réservation").wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path="/tmp/late-5-admin-training.png", full_page=True)
    assert [(r["validity"], r["idle_days"]) for r in run_sql(database_url, "SELECT validity, idle_days FROM training")] \
        == [("idle", 180)]

    page = phone.goto("/#/admin/policies")
    card = page.locator("section", has=page.get_by_role("heading", name="Retours en retard"))
    card.get_by_label("Suspendre après des retours en retard").check()
    card.get_by_label("Retards avant la suspension").fill("3")
    card.get_by_label("Durée de la suspension (jours)").fill("10")
    card.get_by_role("button", name="Enregistrer les règles de retard").click()
    page.get_by_text("Règles de retard enregistrées.").wait_for()
    assert no_horizontal_scroll(page)
    page.screenshot(scale="css", path="/tmp/late-6-admin-policy.png", full_page=True)
    rows = run_sql(database_url, "SELECT s.slug, p.enabled, p.strikes, p.suspension_days FROM late_policy p "
                                 "JOIN site s ON s.id = p.site_id")
    assert [tuple(row)[1:] for row in rows] == [(True, 3, 10)]  # the site first in the picker
    assert phone.errors() == []
