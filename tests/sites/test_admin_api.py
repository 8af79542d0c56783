"""The admin's server side that the Administration screens need: what a closure hits, closures
that cancel those bookings and tell the learners once, and trainings."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fablab.platform import db
from fablab.push.payload import texts
from fablab.reports import reminders
from fablab.bookings.reminder_plan import withdrawn_reminders
from fablab.reports.reminder_text import subject_and_body
from tests.support.bookings import DAY, assert_problem, book, ordinary_day_after

PARIS = ZoneInfo("Europe/Paris")
NEXT_DAY = ordinary_day_after(DAY)


async def impact(admin, first=DAY, last=DAY, **params):
    return await admin.get("/api/sites/vlg/closures/impact",
                           params={"from": first.isoformat(), "to": last.isoformat(), **params})


async def test_impact_lists_the_confirmed_bookings_of_those_days_with_their_learners(admin, learner, other_learner):
    room = (await book(learner, "VLG-ROOM-001", start=(10, 0), end=(11, 0))).json()
    cancelled = (await book(other_learner, "VLG-ROOM-002", start=(14, 0), end=(15, 0))).json()
    await other_learner.post(f"/api/bookings/{cancelled['id']}/cancel", json={})
    # The day after is not hit; a booking of another site is not either.
    await book(learner, "VLG-ROOM-003", start=(10, 0), end=(11, 0), day=NEXT_DAY)

    response = await impact(admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1
    [hit] = body["bookings"]
    assert hit["id"] == room["id"] and hit["resource"] == "VLG-ROOM-001" and hit["resource_name"]
    assert hit["user"]["name"] and hit["user"]["login"] == "learner1"
    assert (await impact(admin, DAY, NEXT_DAY)).json()["count"] == 2
    # Another site's closure of the same days hits nothing here; every site's does.
    pfs = await admin.get("/api/sites/pfs/closures/impact", params={"from": DAY.isoformat(), "to": DAY.isoformat()})
    assert pfs.json()["count"] == 0
    everywhere = await admin.get("/api/sites/pfs/closures/impact",
                                 params={"from": DAY.isoformat(), "to": DAY.isoformat(), "all_sites": "true"})
    assert everywhere.json()["count"] == 1


async def test_impact_is_for_admins_and_checks_its_dates(admin, staff, learner):
    assert_problem(await impact(staff), 403, "forbidden")
    assert_problem(await impact(learner), 403, "forbidden")
    assert_problem(await impact(admin, NEXT_DAY, DAY), 400, "invalid_dates")
    assert_problem(await admin.get("/api/sites/vlg/closures/impact", params={"from": "demain", "to": "2026-12-01"}),
                   400, "invalid_date")
    assert (await admin.get("/api/sites/vlg/closures/impact", params={"from": DAY.isoformat()})).status_code == 400
    assert_problem(await admin.get("/api/sites/zz/closures/impact",
                                   params={"from": DAY.isoformat(), "to": DAY.isoformat()}), 404, "unknown_site")


async def test_a_closure_without_the_option_keeps_the_bookings(admin, learner):
    booking = (await book(learner)).json()
    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Inventaire"})
    assert created.status_code == 201, created.text
    assert created.json()["affected_bookings"] == 1 and created.json()["cancelled_bookings"] == []
    assert (await learner.get(f"/api/bookings/{booking['id']}")).json()["status"] == "confirmed"


async def test_a_closure_cancels_the_bookings_it_hits_and_the_learner_sees_why(admin, learner, other_learner):
    hit = (await book(learner)).json()
    lent = (await book(other_learner, "VLG-ROOM-002")).json()
    await db.fetch("UPDATE booking SET status = 'checked_out', checked_out_at = now() WHERE id = $1", lent["id"])
    spared = (await book(learner, "VLG-ROOM-003", day=NEXT_DAY)).json()

    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Dégât des eaux",
        "cancel_bookings": True})
    assert created.status_code == 201, created.text
    assert created.json()["cancelled_bookings"] == [hit["id"]] and created.json()["affected_bookings"] == 0

    seen = (await learner.get(f"/api/bookings/{hit['id']}")).json()
    assert seen["status"] == "cancelled" and seen["sequence"] == hit["sequence"] + 1
    assert seen["cancel_reason"] == "closure" and seen["cancel_note"] == "Dégât des eaux"
    # A loan already out is not touched; another day is not either.
    assert (await other_learner.get(f"/api/bookings/{lent['id']}")).json()["status"] == "checked_out"
    assert (await learner.get(f"/api/bookings/{spared['id']}")).json()["status"] == "confirmed"
    # An ordinary cancellation carries no reason.
    mine = (await learner.post(f"/api/bookings/{spared['id']}/cancel", json={})).json()
    assert mine["cancel_reason"] is None


async def test_the_learner_is_told_once_through_the_reminders(admin, learner, staff):
    await db.fetch("UPDATE app_user SET email = 'ines@example.org' WHERE login = 'learner1'")
    hit = (await book(learner)).json()
    await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Dégât des eaux", "cancel_bookings": True})
    now = datetime.now(PARIS)
    planned = [r for r in await reminders.plan(now, now) if r.kind == "booking_withdrawn"]
    assert [(r.booking["id"], r.recipient.email) for r in planned] == [(hit["id"], "ines@example.org")]
    subject, body = subject_and_body(planned[0])
    assert subject == "Réservation annulée : le fablab de Villeneuve-la-Garenne sera fermé"
    assert "Dégât des eaux" in body and "retiré" not in body

    # Staff see it among the day's messages (sent or, without SMTP, what would be sent).
    pending = (await staff.get("/api/reminders/pending")).json()["reminders"]
    assert [(item["booking_id"], item["status"]) for item in pending if item["kind"] == "booking_withdrawn"] == [
        (hit["id"], "smtp_off")]

    # Once sent, the sent-log keeps it from going out again.
    await db.fetch("INSERT INTO reminder_log (subject, booking_id, kind, recipient_id, status, last_tried_at, sent_at) "
                   "SELECT 'booking:' || id, $1, 'booking_withdrawn', user_id, 'sent', now(), now() FROM booking WHERE id = $1",
                   hit["id"])
    pending = (await staff.get("/api/reminders/pending")).json()["reminders"]
    assert [item["status"] for item in pending if item["kind"] == "booking_withdrawn"] == ["sent"]


def test_only_system_cancellations_call_for_a_message():
    start = datetime.combine(DAY, time(10), PARIS)
    row = {"id": 1, "status": "cancelled", "user_id": 5, "user_name": "Inès", "user_email": "i@example.org",
           "user_reachable": True, "starts_at": start, "ends_at": start + timedelta(hours=1),
           "cancelled_at": start - timedelta(days=1), "cancel_reason": "closure", "cancel_note": ""}
    [reminder] = withdrawn_reminders(row)
    assert reminder.kind == "booking_withdrawn" and reminder.send_at == row["cancelled_at"]
    assert withdrawn_reminders({**row, "cancel_reason": None}) == []
    assert withdrawn_reminders({**row, "user_reachable": False}) == []


async def test_admin_creates_a_training(admin, staff, learner):
    created = await admin.post("/api/trainings", json={"name": "  Découpe laser  ", "description": "Sécurité"})
    assert created.status_code == 201, created.text
    training = created.json()
    assert training["name"] == "Découpe laser" and training["id"]
    assert "Découpe laser" in [t["name"] for t in (await learner.get("/api/trainings")).json()]
    assert_problem(await admin.post("/api/trainings", json={"name": "Découpe laser"}), 409, "training_exists")
    assert_problem(await admin.post("/api/trainings", json={"name": "   "}), 400, "name_required")
    assert_problem(await admin.post("/api/trainings", json={"name": ""}), 400, "invalid_input")
    assert_problem(await staff.post("/api/trainings", json={"name": "Soudure"}), 403, "forbidden")
    # The new training can be required by a policy.
    put = await admin.put("/api/policies/vlg/room", json={
        "unit": "minutes", "slot_minutes": 30, "min_length": 30, "max_length": 240, "training_id": training["id"]})
    assert put.status_code == 200, put.text


# --- A loan by the day around a closure (issue 28) ---------------------------------------------
async def three_day_loan(learner, admin) -> tuple[dict, list]:
    days = [DAY, NEXT_DAY, ordinary_day_after(NEXT_DAY)]
    hours = (await admin.get("/api/sites/vlg")).json()["opening_hours"]

    def edge(day, which):
        ranges = hours[("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]]
        hh, mm = map(int, (ranges[0][0] if which == "opens" else ranges[-1][1]).split(":"))
        return datetime.combine(day, time(hh, mm), PARIS)

    booked = await learner.post("/api/bookings", json={"resource": "VLG-LAP-005", "starts_at": edge(days[0], "opens").isoformat(),
                                                       "ends_at": edge(days[2], "closes").isoformat()})
    assert booked.status_code == 201, booked.text
    return booked.json(), [(edge(day, "opens"), edge(day, "closes")) for day in days]


async def test_a_closure_of_a_loans_last_day_shortens_it_to_the_open_days_left(admin, learner):
    loan, days = await three_day_loan(learner, admin)
    last = days[2][0].date().isoformat()
    preview = (await impact(admin, days[2][0].date(), days[2][0].date())).json()
    [row] = [b for b in preview["bookings"] if b["id"] == loan["id"]]
    assert [datetime.fromisoformat(t) for t in row["shortened_to"]] == [days[0][0], days[1][1]]

    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": last, "ends_on": last, "reason": "Panne de chauffage", "cancel_bookings": True})
    assert created.status_code == 201, created.text
    assert created.json()["shortened_bookings"] == [loan["id"]] and created.json()["cancelled_bookings"] == []
    seen = (await learner.get(f"/api/bookings/{loan['id']}")).json()
    assert seen["status"] == "confirmed" and seen["cancel_reason"] is None and seen["cancel_note"] == "Panne de chauffage"
    assert datetime.fromisoformat(seen["starts_at"]) == days[0][0] and datetime.fromisoformat(seen["ends_at"]) == days[1][1]
    assert seen["sequence"] == loan["sequence"] + 1  # the calendars replace their copy

    # The learner is told once, by e-mail and push, with the closure's reason and the new end.
    await db.fetch("UPDATE app_user SET email = 'ines@example.org' WHERE login = 'learner1'")
    now = datetime.now(PARIS)
    [told] = [r for r in await reminders.plan(now, now) if r.kind == "booking_withdrawn" and r.booking["id"] == loan["id"]]
    subject, body = subject_and_body(told)
    assert subject == "Prêt raccourci : le fablab de Villeneuve-la-Garenne sera fermé"
    assert "Panne de chauffage" in body and "votre prêt est raccourci" in body and "annulée" not in body
    assert texts(told, "fr")[0] == "Prêt raccourci : fablab de Villeneuve-la-Garenne fermé"


async def test_a_closure_between_a_loans_first_and_last_days_leaves_it_and_a_whole_one_cancels_it(admin, learner):
    loan, days = await three_day_loan(learner, admin)
    middle = days[1][0].date()
    assert loan["id"] not in [b["id"] for b in (await impact(admin, middle, middle)).json()["bookings"]]
    kept = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": middle.isoformat(), "ends_on": middle.isoformat(), "reason": "Formation", "cancel_bookings": True})
    assert kept.json()["shortened_bookings"] == [] and kept.json()["cancelled_bookings"] == []
    assert (await learner.get(f"/api/bookings/{loan['id']}")).json()["ends_at"] == loan["ends_at"]

    whole = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": days[0][0].date().isoformat(), "ends_on": days[2][0].date().isoformat(), "reason": "Travaux",
        "cancel_bookings": True})
    assert whole.json()["cancelled_bookings"] == [loan["id"]]
    assert (await learner.get(f"/api/bookings/{loan['id']}")).json()["status"] == "cancelled"
