"""What /schema says before and between the operations: the conventions every route keeps, and each
tag's domain in a few lines. The API reference lives here and on the route decorators, not in the
README (issue 25); docs/ARCHITECTURE.md explains the design behind it."""

from __future__ import annotations

from litestar.openapi.spec import Tag

API_DESCRIPTION = """\
Booking and inventory for the écoles du Web des quartiers: JSON under `/api`, calendars under `/cal`,
the tag page a QR label opens at `/t/{TAG}` (the web app). Paths and field names are a contract the
web app, calendar clients and outside scripts rely on: add freely, change only with a reason in the
changelog of `docs/API.md`.

**Who.** Each operation's description starts with who may call it: *anyone* (no session), *signed in*
(any role), *staff* (staff or admin), *admin*. The session is a cookie set by `POST /api/auth/login`.
**Sites are a boundary**: staff act on the people, bookings, queues, loans, items and reports of the
sites they work for; another site's object answers `403 not_your_site` and changes nothing, and on
other sites staff get what a learner gets. Staff book, lend and queue for themselves or for learners
of their sites only (`403 not_a_learner`). Admins act on every site. Learners see only their own
bookings' details; lists are bounded.

**Writes.** Unsafe methods need the `X-CSRFToken` header, whose value is the `csrftoken` cookie set
on any GET.

**Times.** RFC 3339 with offset, stored and returned in UTC; instants a client sends must carry their
offset (`400 naive_timestamp`), days lie between 2000-01-01 and 2100-12-31 (`400 date_out_of_range`,
with the `field`).

**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, `title`, `status`,
`detail` and a stable machine-readable `code`; bad input changes nothing. One status per code.
Common codes: `not_authenticated` (401), `forbidden` (403, also a missing CSRF header),
`not_your_site` and `not_a_learner` (403), `not_found` (404), `unknown_site` (404, wherever the slug
is), `unknown_kind` (400), `invalid_input` (400/422), `body_too_large` (413), `json_too_deep` (400,
more than 32 nested arrays or objects), `invalid_path` (400, a NUL in the path), `invalid_host` (400),
`booking_conflict` (409, PostgreSQL's exclusion constraint), `database_unavailable` (503 with
`Retry-After` while PostgreSQL is down), `try_again` (503 with `Retry-After`: a deadlock broken or
every pooled connection busy for 5 s; nothing was saved), `storage_full` (503: PostgreSQL's disk is
full; nothing was saved). Every code has a French and an English message in the web app.

**Encoding.** Text answers of 1 KB or more are gzipped for clients that accept it; CSV cells are
quoted and formula starts neutralised.
"""

TAGS = [
    Tag(name="accounts", description="Sign-in (throttled across workers), my account, my desk pass, "
        "my data, invites, trainings."),
    Tag(name="users", description="Accounts managed by staff: learners of their sites, cohort imports and "
        "invite sheets, certifications, deactivation, access reset."),
    Tag(name="sites", description="Sites, weekly opening hours, closures and French public holidays."),
    Tag(name="policies", description="Booking rules per site and kind, and per unit."),
    Tag(name="bookings", description="Availability and bookings of one unit or of any unit of a kind. No "
        "two active bookings of one unit ever overlap: PostgreSQL's exclusion constraint refuses them "
        "(`409 booking_conflict`)."),
    Tag(name="series", description="Weekly series (an RRULE subset) whose occurrences are ordinary bookings."),
    Tag(name="waitlist", description="First come, first served: a cancellation, an early return or a "
        "no-show offers the freed slot, as a real booking with every rule checked, to the first person "
        "waiting; a refused one keeps their place."),
    Tag(name="inventory", description="Items, QR tags and label sheets, the desk's check-out and check-in, "
        "the append-only custody log, inventory counts."),
    Tag(name="parts", description="Parts that travel with an item, and the ones a learner still holds."),
    Tag(name="maintenance", description="Maintenance by use: a plan per kind or item (every N hours, "
        "loans or days), what is due, the maintenance done, machine hours."),
    Tag(name="consumables", description="Filament, resin and supplies per site: a stock that changes only "
        "through an append-only ledger and never goes below zero, prints, budgets, the month's consumption."),
    Tag(name="desk", description="The desk's hand-overs: several items lent to one learner in one "
        "confirmation, all or nothing, under the site's loan agreement (versioned; signed with a finger, kept "
        "with a SHA-256 over what was signed); receipts of the loan and of the return as PDF."),
    Tag(name="workshops", description="The FabLab solidaire programme: referring partners, participants "
        "(young people without an account, or learners), workshops whose seats PostgreSQL counts (some held for a "
        "partner until a time), sign-ups with a waiting list that seats the next person in the same transaction, "
        "attendance by pass, courses of a target number of hours."),
    Tag(name="minors", description="Minors and their guardians' consent (issue 30): guardians, a site's consent "
        "text (versioned), consents to participation, image rights or emergency care signed with a finger on the "
        "staff phone (text, version and a SHA-256 kept) or received on paper; a minor without a consent to "
        "participation on the day is refused sign-ups, bookings and loans (`422 consent_required`); the consents "
        "about to expire, and the guardian's reminder."),
    Tag(name="visitors", description="Visitors of the neighbourhood (issue 30): a pass for a day or up to a "
        "week, made at the desk without an account, that admits them to workshops open to visitors; forgotten the "
        "admin's delay after its last day, still counted by the impact report."),
    Tag(name="calendars", description="iCalendar feeds (RFC 5545) with ETag and 304: a site's and an item's "
        "without names; private links (a learner's own, a staff site feed) whose token is the key."),
    Tag(name="reports", description="Utilisation, no-shows, overdue loans, heat map; pending reminders."),
    Tag(name="push", description="Web Push (RFC 8030, 8291, 8292): the phones that receive my reminders."),
    Tag(name="admin", description="Settings of the whole system: how long personal data is kept, and visitors' data."),
    Tag(name="app", description="The web app's own data: the domain's words."),
    Tag(name="health", description="Liveness for load balancers and monitoring."),
]
