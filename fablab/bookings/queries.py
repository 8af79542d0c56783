"""Reads of the bookings domain: booking context and locks, availability, booking lists."""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from fablab.domain import codes
from fablab.hooks import admission, unit_gates
from fablab.platform import db
from fablab.accounts.logins import fold
from fablab.sites.calendar import Policy, SiteCalendar
from fablab.bookings.schemas import BookingOut
from fablab.domain.errors import NotFound
from fablab.domain.vocabulary import FINISHED_BOOKING_STATUSES
from fablab.domain.schemas import PersonOut
from fablab.sites.defaults import DEFAULT_POLICIES
from fablab.sites.queries import POLICY_COLUMNS, default_policy, site_calendar

UTC = timezone.utc

# The statuses in which a booking holds its unit, and the range it holds: the exclusion
# constraint's predicate and range expression. Every query asking "who holds this unit over a
# period" repeats them exactly, so that the constraint's GiST index serves it.
HOLDING = ("{b}.status IN ('confirmed', 'checked_out') "
           "AND tstzrange({b}.starts_at, {b}.blocked_until, '[)') && tstzrange({start}, {end}, '[)')")


# Every write to a booking says so to the calendars that subscribe to it (RFC 5545 SEQUENCE, and
# the feeds' version): the SET clause each UPDATE of the booking table ends with.
BUMP = "sequence = sequence + 1, updated_at = now()"


def holding(b: str, start: str, end: str) -> str:
    """HOLDING for the booking alias `b` over the SQL range bounds [start, end)."""
    return HOLDING.format(b=b, start=start, end=end)

# Confirmed bookings of a site (or of every site, $1 NULL) that overlap the whole local days
# [$2, $3]: what a closure of those days hits. Raw: the day bounds are in each site's time zone.
CLOSURE_IMPACT = """
SELECT b.id, b.resource_id, r.tag AS resource, r.name AS resource_name, b.kind, s.slug AS site, b.starts_at, b.ends_at,
       b.user_id, u.name AS user_name, u.login AS user_login, s.timezone
FROM booking b JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id
LEFT JOIN app_user u ON u.id = b.user_id
WHERE ($1::int IS NULL OR b.site_id = $1) AND b.status = 'confirmed'
  AND b.starts_at < (($3::date + 1)::timestamp AT TIME ZONE s.timezone)
  AND b.ends_at > ($2::date::timestamp AT TIME ZONE s.timezone)
ORDER BY b.starts_at, b.id
LIMIT $4
"""


async def closure_impact(site_id: int | None, first: date, last: date, limit: int) -> list[dict]:
    return await db.fetch(CLOSURE_IMPACT, site_id, first, last, limit)


# What booking one unit needs, in one round trip: the unit with its site, the policy that applies
# to it (override, else site and kind), the site's closures over [$2, $3], the booker ($4), and
# whether a unit gate may refuse it (fablab/hooks/unit_gates.py: then the engine asks for the verdict),
# and which admission checks may refuse the booker (fablab/hooks/admission.py: $6 the start, $7 now).
# Two locks, in the order every writer takes them: the unit shared (a status change such as
# maintenance waits for the bookings being written), then the booker's row, which serialises one
# learner's bookings so that quotas hold. The CTEs are materialised and u reads r, so r (and its
# lock) is always taken first, whatever plan the join gets.
#
# With $5, it also sets plan_cache_mode for the rest of the transaction (what SET LOCAL does,
# without a round trip of its own): the booking INSERT that follows has a range condition on
# parameters, which PostgreSQL estimates pessimistically in a generic plan, so it would plan that
# statement afresh at every call (0.7 ms, more than running it) for the very plan it caches.
_BOOKING_CONTEXT = f"""
WITH r AS MATERIALIZED (
    SELECT r.id, r.tag, r.kind, r.status, r.site_id FROM resource r WHERE {{match}} FOR SHARE),
u AS MATERIALIZED (
    SELECT id, role, active FROM app_user WHERE id = $4 AND EXISTS (SELECT FROM r) FOR NO KEY UPDATE)
SELECT r.id, r.tag, r.kind, r.status, r.site_id, s.slug, s.timezone, s.opening_hours::text AS opening_hours,
       p.unit, p.slot_minutes, p.min_length, p.max_length, p.max_days_ahead, p.buffer_minutes,
       p.may_end_after_closing, p.checkout_grace_minutes, p.max_active_bookings, p.max_hours_per_week,
       p.training_id,
       (SELECT coalesce(json_agg(json_build_array(c.starts_on, c.ends_on)), '[]')::text FROM closure c
         WHERE (c.site_id = r.site_id OR c.site_id IS NULL) AND c.starts_on <= $3 AND c.ends_on >= $2) AS closures,
       u.role AS user_role, coalesce(u.active, false) AS user_active,
       CASE WHEN $5::bool THEN set_config('plan_cache_mode', 'force_generic_plan', true) END AS plan_cache_mode,
       {{gates}} AS gates_may_refuse,
       {{admission}} AS admission_may_refuse
FROM r JOIN site s ON s.id = r.site_id
LEFT JOIN u ON true
LEFT JOIN LATERAL (
    SELECT {POLICY_COLUMNS} FROM policy
    WHERE resource_id = r.id OR (site_id = r.site_id AND kind = r.kind AND resource_id IS NULL)
    ORDER BY resource_id NULLS LAST LIMIT 1) p ON true
"""


@functools.lru_cache(maxsize=8)
def _context_sql(by_tag: bool, gates: tuple[str, ...], checks: tuple[str, ...]) -> str:
    # Built on first use, once the gates and checks are registered (their names are the cache key).
    match = "upper(r.tag) = upper($1)" if by_tag else "r.id = $1"
    return _BOOKING_CONTEXT.format(match=match, gates=unit_gates.may_refuse_sql("r"),
                                   admission=admission.may_refuse_sql(_BOOKER))


# The booking's facts as the admission probes see them, in _BOOKING_CONTEXT.
_BOOKER = admission.TakingSql(person="$4::int", site="r.site_id", kind="r.kind", resource="r.id",
                              starts_at="$6::timestamptz", now="$7::timestamptz")


@dataclass(frozen=True)
class BookingContext:
    resource: dict
    policy: Policy
    calendar: SiteCalendar
    user: dict | None  # id and role; None when the booker is unknown or inactive


async def booking_context(ref: int | str, user_id: int, first: date, last: date, *, starts_at: datetime,
                          now: datetime, generic_plans: bool) -> BookingContext | None:
    """The BookingContext of one unit by id or tag (calendar over [first, last]), with the unit
    share-locked and the booker's row locked; None when the unit is unknown. generic_plans: the
    rest of the transaction uses cached generic plans (for a transaction of its own, not a caller's)."""
    sql = _context_sql(not isinstance(ref, int), unit_gates.signature(), admission.signature())
    row = await db.fetchone(sql, ref, first, last, user_id, generic_plans, starts_at, now)
    if row is None:
        return None
    policy = Policy.from_row(row) if row["unit"] is not None else default_policy(row["kind"])
    closed = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in json.loads(row["closures"])]
    calendar = site_calendar(row["timezone"], row["opening_hours"], closed, first, last)
    user = {"id": user_id, "role": row["user_role"]} if row["user_active"] else None
    return BookingContext(resource=row, policy=policy, calendar=calendar, user=user)


# -------------------------------------------------------------------------------------------
# No-shows

# A confirmed booking not checked out within its grace time is released. The partial index
# booking_confirmed_starts keeps this cheap however long the history is. SKIP LOCKED: a row another
# transaction holds (a desk checking it out, a cancellation, another sweep) is left to that
# transaction, so a sweep never waits and two sweeps never deadlock over rows locked in a
# different order.
def no_show_sweep(filters: str, *, now: str = "$1", returning: str = "b.id") -> str:
    """The sweep's UPDATE for the confirmed bookings matching `filters` (SQL on the alias o)."""
    return f"""
UPDATE booking b SET status = 'no_show', no_show_at = {now}, {BUMP}
FROM (
  SELECT o.id FROM booking o
  WHERE o.status = 'confirmed' AND o.starts_at < {now}
    AND {filters}
    AND o.starts_at + make_interval(mins => coalesce(
          (SELECT p.checkout_grace_minutes FROM policy p WHERE p.resource_id = o.resource_id),
          (SELECT p.checkout_grace_minutes FROM policy p
            WHERE p.site_id = o.site_id AND p.kind = o.kind AND p.resource_id IS NULL),
          30)) <= {now}
  FOR NO KEY UPDATE OF o SKIP LOCKED
) due
WHERE b.id = due.id
RETURNING {returning}
"""


NO_SHOW_SWEEP = no_show_sweep(
    "($2::int IS NULL OR o.site_id = $2) AND ($3::text IS NULL OR o.kind = $3) "
    "AND ($4::int IS NULL OR o.resource_id = $4) AND ($5::int IS NULL OR o.user_id = $5)")


# The sweep and the booker's row lock in one statement (one round trip on the booking path of any
# unit of a kind), with the admission checks' probes (fablab/hooks/admission.py; $7 the booking's start).
_LOCK_USER_AND_SWEEP = f"""
WITH swept AS ({NO_SHOW_SWEEP})
SELECT id, role, active, {{admission}} AS admission_may_refuse FROM app_user WHERE id = $6 FOR NO KEY UPDATE
"""
_BOOKER_OF_KIND = admission.TakingSql(person="$6::int", site="$2::int", kind="$3::text", resource="NULL::int",
                                      starts_at="$7::timestamptz", now="$1::timestamptz")


@functools.lru_cache(maxsize=8)
def _lock_user_sql(checks: tuple[str, ...]) -> str:
    # Built on first use, once the checks are registered (their names are the cache key).
    return _LOCK_USER_AND_SWEEP.format(admission=admission.may_refuse_sql(_BOOKER_OF_KIND))


async def lock_user_and_sweep(user_id: int, now: datetime, *, site_id: int, kind: str, starts_at: datetime) -> dict | None:
    """The booker's row, locked, after releasing the no-shows of the site's kind; with the admission probes."""
    return await db.fetchone(_lock_user_sql(admission.signature()), now, site_id, kind, None, None, user_id, starts_at)


async def sweep_no_shows(now: datetime, *, site_id: int | None = None, kind: str | None = None,
                         resource_id: int | None = None, user_id: int | None = None) -> int:
    rows = await db.fetch(NO_SHOW_SWEEP, now, site_id, kind, resource_id, user_id)
    return len(rows)


# -------------------------------------------------------------------------------------------
# Availability

# Everything one day's availability needs, in one round trip: the site, the kind's policy, the
# day's closures, the units and their busy ranges, after releasing the units' no-shows (rule 5).
# The sweep is a CTE of the same statement, whose reads share one snapshot and so cannot see its
# writes: the busy ranges leave out the rows it released. Busy ranges are read over the UTC days
# around the date ($4..$5, any time zone's local day fits in them) plus the policy's buffer; the
# overlaps are computed exactly in Python. $6 is the kind's default buffer (no policy row).
AVAILABILITY_CONTEXT = f"""
WITH s AS (
    SELECT id, slug, timezone, opening_hours::text AS opening_hours FROM site WHERE slug = lower($1)
), swept AS ({no_show_sweep("o.site_id = (SELECT id FROM s) AND o.kind = $2", now="$3")}
), units AS (
    SELECT r.id, r.tag, r.name, r.status FROM resource r
    WHERE r.site_id = (SELECT id FROM s) AND r.kind = $2 AND r.status <> 'retired'
)
SELECT s.id, s.slug, s.timezone, s.opening_hours, p.*,
       (SELECT array_agg(u.id ORDER BY u.tag) FROM units u) AS unit_ids,
       (SELECT array_agg(u.tag ORDER BY u.tag) FROM units u) AS unit_tags,
       (SELECT array_agg(u.name ORDER BY u.tag) FROM units u) AS unit_names,
       (SELECT array_agg(u.status ORDER BY u.tag) FROM units u) AS unit_statuses,
       c.closed_from, c.closed_to, busy.busy_units, busy.busy_starts, busy.busy_ends
FROM s
LEFT JOIN LATERAL (
    SELECT {POLICY_COLUMNS} FROM policy WHERE site_id = s.id AND kind = $2 AND resource_id IS NULL) p ON true
CROSS JOIN LATERAL (
    SELECT array_agg(starts_on) AS closed_from, array_agg(ends_on) AS closed_to FROM closure
    WHERE (site_id = s.id OR site_id IS NULL) AND starts_on <= $7::date AND ends_on >= $7::date) c
CROSS JOIN LATERAL (
    SELECT array_agg(b.resource_id) AS busy_units, array_agg(b.starts_at) AS busy_starts,
           array_agg(b.blocked_until) AS busy_ends
    FROM booking b
    WHERE b.resource_id = ANY((SELECT array_agg(id) FROM units)::int[])
      AND b.status IN ('confirmed', 'checked_out')
      AND tstzrange(b.starts_at, b.blocked_until, '[)')
          && tstzrange($4::timestamptz, $5::timestamptz + make_interval(mins => coalesce(p.buffer_minutes, $6::int)), '[)')
      AND b.id NOT IN (SELECT id FROM swept)) busy
"""


@dataclass(frozen=True)
class DayContext:
    site: dict
    policy: Policy
    calendar: SiteCalendar
    resources: list[dict]
    busy: dict[int, list[tuple[datetime, datetime]]]


async def availability_context(slug: str, kind: str, day: date, now: datetime) -> DayContext:
    """What availability() needs for `day`, no-shows released first; 404 unknown_site."""
    first_utc = datetime.combine(day - timedelta(days=1), time(0), UTC)
    row = await db.fetchone(AVAILABILITY_CONTEXT, slug, kind, now, first_utc, first_utc + timedelta(days=3),
                            DEFAULT_POLICIES[kind]["buffer_minutes"], day)
    if row is None:
        raise NotFound(f"No site {slug!r}.", code=codes.UNKNOWN_SITE)
    policy = Policy.from_row(row) if row["unit"] is not None else default_policy(kind)
    closed = list(zip(row["closed_from"] or (), row["closed_to"] or ()))
    calendar = site_calendar(row["timezone"], row["opening_hours"], closed, day, day)
    resources = [{"id": i, "tag": t, "name": n, "status": st} for i, t, n, st in zip(
        row["unit_ids"] or (), row["unit_tags"] or (), row["unit_names"] or (), row["unit_statuses"] or ())]
    busy: dict[int, list] = {r["id"]: [] for r in resources}
    for unit, start, end in zip(row["busy_units"] or (), row["busy_starts"] or (), row["busy_ends"] or ()):
        busy[unit].append((start, end))
    site = {"id": row["id"], "slug": row["slug"], "timezone": row["timezone"]}
    return DayContext(site, policy, calendar, resources, busy)


# The training a day's policy asks for, by name, and whether this person holds it now (issue 28: the
# day's hint names it, and goes once they hold it).
TRAINING_FOR = """
SELECT t.name, EXISTS (SELECT FROM certification c WHERE c.user_id = $2 AND c.training_id = t.id
                       AND (c.expires_at IS NULL OR c.expires_at > $3)) AS held
FROM training t WHERE t.id = $1
"""


async def training_for(training_id: int, user_id: int, now: datetime) -> dict | None:
    return await db.fetchone(TRAINING_FOR, training_id, user_id, now)


# -------------------------------------------------------------------------------------------
# Bookings as the API shows them

# The columns of a booking as every reader needs them (the API's one shape, booking_out, and the
# writers' checks), and the joins that name its unit, site and holder.
BOOKING_COLUMNS = """
       b.id, b.resource_id, r.tag AS resource, r.name AS resource_name, s.slug AS site, b.site_id, b.kind,
       b.user_id, u.login AS user_login, u.name AS user_name, b.created_by_id,
       b.starts_at, b.ends_at, b.blocked_until, b.status, b.purpose, b.sequence, b.created_at, b.updated_at,
       b.checked_out_at, b.returned_at, b.cancelled_at, b.no_show_at, b.series_id, b.cancel_reason, b.cancel_note,
       b.unit_chosen, (SELECT m.tag FROM resource m WHERE m.id = b.moved_from_id) AS moved_from
"""
BOOKING_FROM = """
FROM booking b JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id
LEFT JOIN app_user u ON u.id = b.user_id
"""
BOOKING_SELECT = f"SELECT {BOOKING_COLUMNS}{BOOKING_FROM}"


def booking_out(row: dict, now: datetime | None = None) -> BookingOut:
    """A row of BOOKING_COLUMNS as the API shows it; `now` (default: the clock) says whether a loan is overdue."""
    user_id = row["user_id"]
    return BookingOut(
        id=row["id"], resource=row["resource"], resource_name=row["resource_name"], site=row["site"],
        kind=row["kind"],
        user=None if user_id is None else PersonOut(id=user_id, login=row["user_login"], name=row["user_name"]),
        starts_at=row["starts_at"], ends_at=row["ends_at"], status=row["status"], purpose=row["purpose"],
        sequence=row["sequence"], created_at=row["created_at"], updated_at=row["updated_at"],
        checked_out_at=row["checked_out_at"], returned_at=row["returned_at"], cancelled_at=row["cancelled_at"],
        no_show_at=row["no_show_at"], series_id=row["series_id"], cancel_reason=row["cancel_reason"],
        cancel_note=row["cancel_note"] or "", moved_from=row["moved_from"],
        overdue=row["status"] == "checked_out" and row["ends_at"] < (now or datetime.now(UTC)),
    )


# The bookings that count against a learner's quota of a kind, as INSERT_BOOKING's guard counts
# them: active ones not yet over (max_active_bookings), or those in the booking's week
# (max_hours_per_week). Few rows: a quota is a handful of bookings.
QUOTA_HOLDING = {
    "max_active_bookings": f"""{BOOKING_SELECT}
WHERE b.user_id = $1 AND b.kind = $2 AND b.status IN ('confirmed', 'checked_out') AND b.ends_at > $3
ORDER BY b.starts_at, b.id LIMIT 20""",
    "max_hours_per_week": f"""{BOOKING_SELECT}
WHERE b.user_id = $1 AND b.kind = $2 AND b.status IN ('confirmed', 'checked_out', 'returned')
  AND b.starts_at < $5 AND b.ends_at > $4 AND $3::timestamptz IS NOT NULL
ORDER BY b.starts_at, b.id LIMIT 20""",
}


# A learner's standing against the rules INSERT_BOOKING's guard applies, read without booking
# (the waitlist warns at join time): the same counts as that statement's state CTE.
BOOKER_STATE = """
SELECT u.role,
       (SELECT count(*) FROM booking b WHERE b.user_id = u.id AND b.kind = $2
          AND b.status IN ('confirmed', 'checked_out') AND b.ends_at > $3) AS active,
       (SELECT coalesce(sum(extract(epoch FROM least(b.ends_at, $5) - greatest(b.starts_at, $4)) / 60), 0)::float8
          FROM booking b WHERE b.user_id = u.id AND b.kind = $2
          AND b.status IN ('confirmed', 'checked_out', 'returned') AND b.starts_at < $5 AND b.ends_at > $4) AS week_minutes,
       EXISTS (SELECT FROM certification c WHERE c.user_id = u.id AND c.training_id = $6
               AND (c.expires_at IS NULL OR c.expires_at > $3)) AS trained
FROM app_user u WHERE u.id = $1
"""


async def booker_state(*, user_id: int, kind: str, now: datetime, week: tuple[datetime, datetime],
                       training_id: int | None) -> dict | None:
    return await db.fetchone(BOOKER_STATE, user_id, kind, now, *week, training_id)


async def quota_holding(*, user_id: int, kind: str, quota: str, now: datetime,
                        week: tuple[datetime, datetime]) -> list[dict]:
    """The bookings holding the learner's `quota` of `kind`: id, item, site and times."""
    args = (user_id, kind, now) if quota == "max_active_bookings" else (user_id, kind, now, *week)
    rows = await db.fetch(QUOTA_HOLDING[quota], *args)
    return [{key: row[key] for key in ("id", "resource", "resource_name", "site", "kind", "starts_at", "ends_at",
                                       "status")} for row in rows]


async def booking(booking_id: int) -> dict | None:
    return await db.fetchone(f"{BOOKING_SELECT} WHERE b.id = $1", booking_id)


# A booking list with its no-shows released first, in one statement. The list and the sweep share
# one snapshot, in which the swept rows are still confirmed: their new values are laid over them.
SWEPT_COLUMNS = "b.id, b.status, b.no_show_at, b.sequence, b.updated_at"
SWEPT_BOOKING_SELECT = (
    BOOKING_SELECT
    .replace("b.status,", "coalesce(sw.status, b.status) AS status,")
    .replace("b.sequence,", "coalesce(sw.sequence, b.sequence) AS sequence,")
    .replace("b.updated_at,", "coalesce(sw.updated_at, b.updated_at) AS updated_at,")
    .replace("b.no_show_at", "coalesce(sw.no_show_at, b.no_show_at) AS no_show_at")
    + "LEFT JOIN swept sw ON sw.id = b.id\n"
)
# $1 the user or site, $2..$3 the period, $4 the limit, $5 now.
BOOKINGS_OF_USER = f"""
WITH swept AS ({no_show_sweep("o.user_id = $1", now="$5", returning=SWEPT_COLUMNS)})
{SWEPT_BOOKING_SELECT}
WHERE b.user_id = $1 AND b.ends_at > $2 AND b.starts_at < $3 ORDER BY b.starts_at, b.id LIMIT $4
"""
BOOKINGS_OF_SITE = f"""
WITH swept AS ({no_show_sweep("o.site_id = $1", now="$5", returning=SWEPT_COLUMNS)})
{SWEPT_BOOKING_SELECT}
WHERE b.site_id = $1 AND b.ends_at > $2 AND b.starts_at < $3 ORDER BY b.starts_at, r.tag LIMIT $4
"""


async def bookings_of_user(user_id: int, start: datetime, end: datetime, limit: int, *, now: datetime) -> list[dict]:
    """The user's bookings over [start, end), their no-shows released first (rule 5)."""
    return await db.fetch(BOOKINGS_OF_USER, user_id, start, end, limit, now)


# A user's default list, kept per process while its version holds: the version (the feeds'
# formula: count, newest change, sums of sequences and ids; plus the epoch that moves with resource,
# site and user names) costs much less than reading, decoding and shaping every booking again. It is
# read after releasing the user's no-shows, in the same statement; when some were released, the
# snapshot does not show it, so the list is read afresh.
USER_LIST_VERSION = f"""
WITH swept AS ({no_show_sweep("o.user_id = $1", now="$4")})
SELECT count(*) AS n, max(b.updated_at) AS newest, coalesce(sum(b.sequence), 0) AS seqs,
       coalesce(sum(b.id), 0) AS ids, (SELECT coalesce(sum(version), 0) FROM feed_epoch) AS epoch,
       (SELECT count(*) FROM swept) AS released
FROM booking b WHERE b.user_id = $1 AND b.ends_at > $2 AND b.starts_at < $3
"""
USER_LISTS_KEPT = 256
_user_lists: OrderedDict[int, tuple[tuple, list[BookingOut]]] = OrderedDict()


async def user_list(user_id: int, start: datetime, end: datetime, limit: int, *, now: datetime) -> list[BookingOut]:
    """The user's bookings over [start, end) as the API shows them, from this process's copy when
    PostgreSQL's version of them still matches; no-shows released first (rule 5)."""
    state = await db.fetchone(USER_LIST_VERSION, user_id, start, end, now)
    version = (state["n"], state["newest"], state["seqs"], state["ids"], state["epoch"], limit)
    kept = _user_lists.get(user_id)
    if not state["released"] and kept is not None and kept[0] == version:
        _user_lists.move_to_end(user_id)
        for booking in kept[1]:  # a loan falls overdue without any change to its row
            if booking.status == "checked_out":
                booking.overdue = booking.ends_at < now
        return kept[1]
    listed = [booking_out(row, now) for row in await bookings_of_user(user_id, start, end, limit, now=now)]
    if not state["released"]:
        _user_lists[user_id] = (version, listed)
        _user_lists.move_to_end(user_id)
        while len(_user_lists) > USER_LISTS_KEPT:
            _user_lists.popitem(last=False)
    return listed


async def bookings_of_site(site_id: int, start: datetime, end: datetime, limit: int, *, now: datetime) -> list[dict]:
    """The site's bookings over [start, end), their no-shows released first (rule 5)."""
    return await db.fetch(BOOKINGS_OF_SITE, site_id, start, end, limit, now)


async def user_id_for_ref(ref: int | str) -> int:
    """A user's id from their id or login (case-insensitive); 404 unknown_user otherwise."""
    if isinstance(ref, int):
        user_id = await db.fetchval("SELECT id FROM app_user WHERE id = $1 AND active", ref)
    else:
        # Logins are stored folded (accounts.logins); lower(login) only serves the unique index.
        user_id = await db.fetchval("SELECT id FROM app_user WHERE lower(login) = $1 AND active", fold(ref))
    if user_id is None:
        raise NotFound(f"No active user {ref!r}.", code=codes.UNKNOWN_USER)
    return user_id


# -------------------------------------------------------------------------------------------
# Series occurrences and who holds a slot (edits and series reports)

# Who holds the slot, for the conflict report staff read.
HOLDER = f"""
SELECT b.id, b.purpose, u.name FROM booking b LEFT JOIN app_user u ON u.id = b.user_id
WHERE b.resource_id = $1 AND {holding("b", "$2", "$3")}
ORDER BY b.starts_at LIMIT 1
"""

# The not-yet-started confirmed occurrences of a series, from one date on ($2; NULL: all).
OCCURRENCES_FROM = """
SELECT id FROM booking WHERE series_id = $1 AND status = 'confirmed' AND starts_at > now()
  AND ($2::date IS NULL OR occurrence_date >= $2) ORDER BY id
"""


async def holder(resource_id: int, starts_at: datetime, blocked_until: datetime) -> dict | None:
    return await db.fetchone(HOLDER, resource_id, starts_at, blocked_until)


async def booking_in_series(booking_id: int) -> dict | None:
    return await db.fetchone("SELECT id, user_id, site_id, series_id, occurrence_date FROM booking WHERE id = $1",
                             booking_id)


async def occurrence_ids(series_id: int, from_day) -> list[int]:
    return [row["id"] for row in await db.fetch(OCCURRENCES_FROM, series_id, from_day)]


async def bookings_by_ids(ids: list[int]) -> list[dict]:
    return await db.fetch(f"{BOOKING_SELECT} WHERE b.id = ANY($1::bigint[]) ORDER BY b.starts_at", ids)

# --- A person's data (fablab/bookings/person.py declares what each statement is for) ------------
PERSON_BOOKINGS = """
SELECT b.id, r.tag AS resource, r.name AS resource_name, b.kind, s.slug AS site, b.starts_at, b.ends_at, b.status,
       b.purpose, b.created_at, b.checked_out_at, b.returned_at, b.cancelled_at, b.no_show_at, b.series_id,
       b.occurrence_date, b.cancel_reason, b.cancel_note
FROM booking b JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id
WHERE b.user_id = $1 ORDER BY b.starts_at, b.id
"""
# Only bookings that will not change again forget their people; calendars see the change (SEQUENCE).
RETAIN_BOOKINGS = f"""
UPDATE booking SET user_id = NULL, created_by_id = NULL, purpose = '', cancel_note = '', {BUMP}
WHERE status IN ({', '.join(f"'{status}'" for status in FINISHED_BOOKING_STATUSES)}) AND ends_at < $1
  AND (user_id IS NOT NULL OR created_by_id IS NOT NULL OR purpose <> '' OR cancel_note <> '')
RETURNING id
"""
PERSON_HOLDS_ITEMS = "SELECT count(*) FROM booking WHERE user_id = $1 AND status = 'checked_out'"
# An erased person's coming bookings are withdrawn: a unit kept for nobody would be lost to others.
PERSON_WITHDRAW_BOOKINGS = f"""
UPDATE booking SET status = 'cancelled', cancelled_at = now(), {BUMP}
WHERE user_id = $1 AND status = 'confirmed' RETURNING id
"""
