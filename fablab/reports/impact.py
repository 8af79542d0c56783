"""The funders' impact report of the FabLab solidaire programme (issue 29) from plain rows; no I/O.

What each figure means (what a coordinator tells a funder, and what tests/reports/test_impact_figures.py
holds):
- a workshop is *held* when it was not cancelled and started within the period (local days of its
  site) and before now; the seats, attendance and hours below are those of held workshops only;
- a *participant* is a person (role participant or learner) who attended at least one held workshop;
  visitors of the neighbourhood (issue 30) are a line of their own, never counted as participants;
  sign-ups whose person was forgotten by the retention still count as seats and hours, and are
  counted apart (`unidentified_attendances`), since nobody can tell whether they were the same person;
- *returning*: attended a held workshop of the same sites before the period; otherwise *new*;
- the age band is the age on the day of the person's first attended workshop of the period;
- partner and status are the person's as recorded now (participant row; none → no partner, unknown);
- *no-shows* count only in workshops that ended and where attendance was taken (at least one person
  marked): a workshop where nobody was marked says nothing about who came (`unrecorded`);
- hours attended are each attendance clipped to its workshop's time;
- a course is *started* by a person whose first attended workshop of it falls in the period, and
  *completed* when their hours in it (all time) reach its target at a workshop of the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from zoneinfo import ZoneInfo

from fablab.domain.ages import AGE_BANDS, age_band, age_on
from fablab.domain.vocabulary import PARTICIPANT_STATUSES

PARTICIPANT_ROLES = ("participant", "learner")
VISITOR_ROLE = "visitor"
UNKNOWN_BAND = "unknown"
AGE_BAND_NAMES = (*(band for band, _, _ in AGE_BANDS), UNKNOWN_BAND)
# Hours per participant over the period, [lowest, highest): a 35-hour course is the programme's unit.
HOUR_BUCKETS = (("lt_3", 0, 3), ("3_10", 3, 10), ("10_20", 10, 20), ("20_35", 20, 35), ("35_plus", 35, None))


@dataclass(frozen=True)
class ImpactPeriod:
    """Whole local days [first, last] of each workshop's own site, seen at `now`."""

    first: date
    last: date
    now: datetime

    def local_day(self, moment: datetime, timezone: str) -> date:
        return moment.astimezone(ZoneInfo(timezone)).date()

    def holds(self, moment: datetime, timezone: str) -> bool:
        return self.first <= self.local_day(moment, timezone) <= self.last


@dataclass
class ImpactRows:
    """What the report reads (fablab/reports/impact_queries.py), as plain rows.

    workshops: id, site_id, course_id, starts_at, ends_at, capacity, status, timezone.
    seats: the sign-ups holding a seat (status registered) of those workshops: id, workshop_id,
        user_id (None once forgotten), role, arrived_at and left_at (None: not marked present).
    people: by user id, the participants' birth_date, birth_year, status, partner_id.
    partners: by id, name, kind, site (slug), site_name.
    returning: user ids who attended a held workshop of the same sites before the period;
        returning_at: the same as (user id, site id) pairs, for one site's column (site_rows).
    courses: by id, title, target_hours, site, site_name.
    course_attendance: every attendance of a participant at a workshop (not cancelled) of those
        courses up to the period's end: user_id, role, course_id, workshop_id, starts_at, ends_at,
        timezone, arrived_at, left_at.
    visitors: visitors' rows of the sites: id, site_id, created_at, timezone.
    """

    workshops: list[dict]
    seats: list[dict]
    people: dict[int, dict] = field(default_factory=dict)
    partners: dict[int, dict] = field(default_factory=dict)
    returning: set[int] = field(default_factory=set)
    returning_at: set[tuple[int, int]] = field(default_factory=set)
    courses: dict[int, dict] = field(default_factory=dict)
    course_attendance: list[dict] = field(default_factory=list)
    visitors: list[dict] = field(default_factory=list)


def site_rows(rows: ImpactRows, site_id: int, slug: str) -> ImpactRows:
    """One site's rows out of a report over several, for that site's own figures: returning there,
    its courses, its visitors."""
    workshops = [w for w in rows.workshops if w["site_id"] == site_id]
    ids = {w["id"] for w in workshops}
    courses = {cid: course for cid, course in rows.courses.items() if course["site"] == slug}
    return ImpactRows(
        workshops=workshops, seats=[seat for seat in rows.seats if seat["workshop_id"] in ids],
        people=rows.people, partners=rows.partners,
        returning={user_id for user_id, site in rows.returning_at if site == site_id},
        returning_at={pair for pair in rows.returning_at if pair[1] == site_id},
        courses=courses, course_attendance=[row for row in rows.course_attendance if row["course_id"] in courses],
        visitors=[visitor for visitor in rows.visitors if visitor.get("site_id") == site_id])


def attended_hours(workshop_start: datetime, workshop_end: datetime, arrived: datetime, left: datetime) -> float:
    """Hours present, clipped to the workshop: arriving early or staying late adds nothing."""
    start, end = max(workshop_start, arrived), min(workshop_end, left)
    return max(0.0, (end - start).total_seconds() / 3600)


def is_held(workshop: dict, period: ImpactPeriod) -> bool:
    return (workshop["status"] != "cancelled" and workshop["starts_at"] <= period.now
            and period.holds(workshop["starts_at"], workshop["timezone"]))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def impact_figures(period: ImpactPeriod, rows: ImpactRows) -> dict:
    """Every figure of the report (the module's docstring says what each one means)."""
    held = {w["id"]: w for w in rows.workshops if is_held(w, period)}
    seats = [seat for seat in rows.seats if seat["workshop_id"] in held]
    present = [seat for seat in seats if seat["arrived_at"] is not None]
    hours_of = {seat["id"]: attended_hours(held[seat["workshop_id"]]["starts_at"], held[seat["workshop_id"]]["ends_at"],
                                           seat["arrived_at"], seat["left_at"]) for seat in present}
    people = participants_present(present, held, hours_of)
    return {
        "participants": participant_figures(people, seats, present, rows),
        "visitors": visitor_figures(rows.visitors, present, period),
        "workshops": workshop_figures(rows.workshops, held, seats, present, period),
        "seats": seat_figures(held, seats, present, period),
        "hours": hour_figures(hours_of, people),
        "courses": course_figures(rows.courses, rows.course_attendance, period),
    }


def participants_present(present: list[dict], held: dict[int, dict], hours_of: dict[int, float]) -> dict[int, dict]:
    """Each participant who came: the local day of their first workshop of the period, their hours."""
    people: dict[int, dict] = {}
    for seat in sorted(present, key=lambda s: held[s["workshop_id"]]["starts_at"]):
        if seat["user_id"] is None or seat["role"] not in PARTICIPANT_ROLES:
            continue
        workshop = held[seat["workshop_id"]]
        person = people.setdefault(seat["user_id"], {
            "first_day": workshop["starts_at"].astimezone(ZoneInfo(workshop["timezone"])).date(), "hours": 0.0})
        person["hours"] += hours_of[seat["id"]]
    return people


def participant_figures(people: dict[int, dict], seats: list[dict], present: list[dict], rows: ImpactRows) -> dict:
    ages: Counter = Counter()
    statuses: Counter = Counter()
    partners: Counter = Counter()
    for user_id, person in people.items():
        known = rows.people.get(user_id, {})
        age = age_on(person["first_day"], known.get("birth_date"), known.get("birth_year"))
        ages[age_band(age) or UNKNOWN_BAND] += 1
        statuses[known.get("status") or "unknown"] += 1
        partners[known.get("partner_id")] += 1
    registered = {s["user_id"] for s in seats if s["user_id"] is not None and s["role"] in PARTICIPANT_ROLES}
    returning = len(set(people) & rows.returning)
    return {
        "unique": len(people),
        "registered": len(registered),
        "new": len(people) - returning,
        "returning": returning,
        "unidentified_attendances": sum(1 for seat in present if seat["user_id"] is None),
        "by_age": [{"band": band, "count": ages[band]} for band in AGE_BAND_NAMES],
        "by_status": [{"status": status, "count": statuses[status]} for status in PARTICIPANT_STATUSES],
        "by_partner": partner_lines(partners, rows.partners),
    }


def partner_lines(counts: Counter, partners: dict[int, dict]) -> list[dict]:
    """Partners that referred someone, most first, then the people no partner referred."""
    lines = [{"partner": {"id": partner_id, **partners[partner_id]}, "count": count}
             for partner_id, count in counts.items() if partner_id is not None and partner_id in partners]
    lines.sort(key=lambda line: (-line["count"], line["partner"]["name"].lower()))
    unreferred = counts[None] + sum(count for pid, count in counts.items() if pid is not None and pid not in partners)
    if unreferred:
        lines.append({"partner": None, "count": unreferred})
    return lines


def visitor_figures(visitors: list[dict], present: list[dict], period: ImpactPeriod) -> dict:
    came = {seat["user_id"] for seat in present if seat["role"] == VISITOR_ROLE and seat["user_id"] is not None}
    return {
        "count": sum(1 for v in visitors if period.holds(v["created_at"], v["timezone"])),
        "attended_workshops": len(came),
    }


def workshop_figures(workshops: list[dict], held: dict[int, dict], seats: list[dict], present: list[dict],
                     period: ImpactPeriod) -> dict:
    ended = [w for w in held.values() if w["ends_at"] <= period.now]
    with_seats = {seat["workshop_id"] for seat in seats}
    marked = {seat["workshop_id"] for seat in present}
    return {
        "held": len(held),
        "cancelled": sum(1 for w in workshops if w["status"] == "cancelled"
                         and period.holds(w["starts_at"], w["timezone"])),
        "ended": len(ended),
        "unrecorded": sum(1 for w in ended if w["id"] in with_seats and w["id"] not in marked),
    }


def seat_figures(held: dict[int, dict], seats: list[dict], present: list[dict], period: ImpactPeriod) -> dict:
    marked = {seat["workshop_id"] for seat in present}
    recorded = {wid for wid, w in held.items() if w["ends_at"] <= period.now and wid in marked}
    base = sum(1 for seat in seats if seat["workshop_id"] in recorded)
    came = sum(1 for seat in present if seat["workshop_id"] in recorded)
    offered = sum(w["capacity"] for w in held.values())
    return {
        "offered": offered,
        "taken": len(seats),
        "fill_rate": rate(len(seats), offered),
        "attended": len(present),
        "no_show_base": base,
        "no_shows": base - came,
        "no_show_rate": rate(base - came, base),
    }


def hour_figures(hours_of: dict[int, float], people: dict[int, dict]) -> dict:
    per_person = [person["hours"] for person in people.values()]
    buckets: Counter = Counter()
    for value in per_person:
        for name, lowest, highest in HOUR_BUCKETS:
            if value >= lowest and (highest is None or value < highest):
                buckets[name] += 1
                break
    return {
        "total": round(sum(hours_of.values()), 2),
        "participants_total": round(sum(per_person), 2),
        "per_participant_mean": round(sum(per_person) / len(per_person), 2) if per_person else None,
        "per_participant_median": round(median(per_person), 2) if per_person else None,
        "distribution": [{"bucket": name, "count": buckets[name]} for name, _, _ in HOUR_BUCKETS],
    }


def course_figures(courses: dict[int, dict], attendance: list[dict], period: ImpactPeriod) -> dict:
    """Per course: who took part in the period, who started it then, who reached its target then."""
    progress: dict[tuple[int, int], float] = defaultdict(float)
    lines = {cid: {"id": cid, **course, "target_hours": float(course["target_hours"]), "participants": set(),
                   "started": 0, "completed": 0} for cid, course in courses.items()}
    for row in sorted(attendance, key=lambda r: (r["starts_at"], r["workshop_id"])):
        line = lines.get(row["course_id"])
        if line is None or row["user_id"] is None or row["role"] not in PARTICIPANT_ROLES:
            continue
        key = (row["user_id"], row["course_id"])
        in_period = period.holds(row["starts_at"], row["timezone"]) and row["starts_at"] <= period.now
        if in_period and key not in progress:
            line["started"] += 1
        before = progress[key]
        progress[key] = before + attended_hours(row["starts_at"], row["ends_at"], row["arrived_at"], row["left_at"])
        if in_period:
            line["participants"].add(row["user_id"])
            if before < line["target_hours"] <= progress[key]:
                line["completed"] += 1
    shown = [{**line, "participants": len(line["participants"])} for line in lines.values() if line["participants"]]
    shown.sort(key=lambda line: (line["title"].lower(), line["id"]))
    return {
        "running": len(shown),
        "started": sum(line["started"] for line in shown),
        "completed": sum(line["completed"] for line in shown),
        "list": shown,
    }
