"""An admin erases a person on a 360 px phone: a learner from their record (refused in French while
they still have an item out, then done after a second tap), and a staff account from the team's
list (the maintenance they signed stays, without them)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import no_horizontal_scroll, run_sql, serious_violations, sign_in

LOGIN = "learner5"


def open_record(page, name: str):
    # The admin acts for every site: the learners screen lists the chosen one's (issue 28's picker).
    page.get_by_label("Site", exact=True).select_option(label="Villeneuve-la-Garenne")
    page.locator(".lead", has_text="Site : Villeneuve-la-Garenne").wait_for()
    page.get_by_label("Chercher").fill(LOGIN)
    page.get_by_text("1 apprenant·e", exact=True).wait_for()  # the search's list, not the one it replaces
    page.locator("summary", has_text=name).click()
    return page.get_by_role("button", name="Effacer la personne et ses données")


def test_an_admin_erases_a_learner_from_their_record_at_360_px(phone_factory, database_url):
    [person] = run_sql(database_url, "SELECT id, name FROM app_user WHERE login = $1", LOGIN)
    run_sql(database_url,
            "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
            "checked_out_at) SELECT r.id, r.site_id, r.kind, $1, now() - interval '1 hour', now() + interval '1 hour', "
            "now() + interval '1 hour', 'checked_out', now() - interval '1 hour' FROM resource r "
            "WHERE r.tag = 'VLG-LAP-004'", person["id"])
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/learners")
    erase = open_record(page, person["name"])
    assert page.get_by_role("link", name="Ses données (RGPD)").get_attribute("href") == f"/api/users/{person['id']}/data"
    erase.click()
    page.get_by_role("button", name="Confirmer : tout effacer, définitivement").click()
    page.get_by_text(re.compile("a encore un objet en prêt")).wait_for()
    assert no_horizontal_scroll(page)
    phone.shot("person-erasure-1-refusee")

    run_sql(database_url, "UPDATE booking SET status = 'returned', returned_at = now() WHERE user_id = $1 "
                          "AND status = 'checked_out'", person["id"])
    erase.click()
    page.get_by_role("button", name="Confirmer : tout effacer, définitivement").click()
    page.get_by_text(re.compile("est effacé·e")).wait_for()
    page.get_by_text("0 apprenant·e", exact=True).wait_for()
    assert page.get_by_text(re.compile("a encore un objet en prêt")).count() == 0, "the old refusal is gone"
    assert run_sql(database_url, "SELECT count(*) AS n FROM app_user WHERE login = $1", LOGIN)[0]["n"] == 0
    assert run_sql(database_url, "SELECT count(*) AS n FROM booking WHERE user_id = $1", person["id"])[0]["n"] == 0
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("person-erasure-2-effacee")
    assert phone.errors(allowed_statuses=(409,)) == []


def test_an_admin_erases_a_staff_account_and_the_maintenance_they_signed_stays(phone_factory, database_url):
    run_sql(database_url, "INSERT INTO maintenance_record (resource_id, task, note, staff_id) "
                          "SELECT r.id, 'Nettoyage', 'par l’équipe de Pantin', u.id FROM resource r, app_user u "
                          "WHERE r.tag = 'VLG-P3D-001' AND u.login = 'staff.pan'")
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/admin/staff")
    item = page.locator("li.item", has_text="staff.pan")
    item.get_by_role("button", name="Effacer la personne et ses données").click()
    item.get_by_role("button", name="Confirmer : tout effacer, définitivement").click()
    expect(page.get_by_role("status")).to_contain_text("plus rien ne la ou le désigne")
    expect(page.locator("li.item", has_text="staff.pan")).to_have_count(0)
    [record] = run_sql(database_url, "SELECT task, note, staff_id FROM maintenance_record")
    assert (record["task"], record["note"], record["staff_id"]) == ("Nettoyage", "", None)
    assert no_horizontal_scroll(page)
    phone.shot("person-erasure-3-equipe")
    assert phone.errors() == []
