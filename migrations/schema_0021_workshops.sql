-- The FabLab solidaire programme (issue 29): partners that refer young people, participants,
-- workshops with seats (some held for a partner until a time), sign-ups with a waiting list,
-- attendance, and courses ("parcours") of several workshops with a target number of hours.
-- Owner: fablab/workshops.

-- A referring structure (Mission Locale, École de la 2e Chance, a school, an association) of a site.
CREATE TABLE partner (
    id          serial PRIMARY KEY,
    site_id     integer NOT NULL REFERENCES site(id),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('mission_locale', 'e2c', 'school', 'association', 'other')),
    contact     text NOT NULL DEFAULT '' CHECK (length(contact) <= 500),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partner_name_once ON partner (site_id, lower(btrim(name)));

-- What the programme knows of a participant beyond their app_user row (name, site, birth date,
-- desk pass): the partner that referred them and their situation, for the funders' report.
-- A learner who signs up gets a row too.
CREATE TABLE participant (
    user_id       integer PRIMARY KEY REFERENCES app_user(id),
    partner_id    integer REFERENCES partner(id),
    status        text NOT NULL DEFAULT 'unknown'
                  CHECK (status IN ('job_seeker', 'pupil', 'student', 'neet', 'employed', 'trainee', 'other', 'unknown')),
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX participant_partner ON participant (partner_id) WHERE partner_id IS NOT NULL;

-- A course ("parcours"): workshops that together make a project of target_hours (35 by default).
CREATE TABLE course (
    id           serial PRIMARY KEY,
    site_id      integer NOT NULL REFERENCES site(id),
    title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    target_hours numeric(6, 2) NOT NULL DEFAULT 35 CHECK (target_hours > 0 AND target_hours <= 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A workshop. Its capacity is guaranteed by counted columns PostgreSQL checks on every change:
-- seats_taken (registrations holding a seat, from any pool) plus held_free (seats still held for
-- partners and not yet taken) never exceed the capacity. A sign-up increments seats_taken in the
-- same statement that checks it, so concurrent sign-ups on any number of workers never overfill,
-- and the capacity cannot be edited below what is taken.
CREATE TABLE workshop (
    id              serial PRIMARY KEY,
    site_id         integer NOT NULL REFERENCES site(id),
    course_id       integer REFERENCES course(id),
    title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    -- The room, booked through the booking engine for the workshop's time (NULL: no room).
    room_booking_id bigint REFERENCES booking(id),
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    min_age         integer CHECK (min_age BETWEEN 0 AND 120),
    max_age         integer CHECK (max_age BETWEEN 0 AND 120),
    audience        text NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'referral')),
    -- Visitors of the neighbourhood (issue 30) may be admitted with their day pass.
    open_to_visitors boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancelled_at    timestamptz,
    cancel_note     text NOT NULL DEFAULT '' CHECK (length(cancel_note) <= 500),
    seats_taken     integer NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
    held_free       integer NOT NULL DEFAULT 0 CHECK (held_free >= 0),
    created_by_id   integer REFERENCES app_user(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workshop_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT workshop_ages_in_order CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
    CONSTRAINT workshop_within_capacity CHECK (seats_taken + held_free <= capacity),
    CONSTRAINT workshop_cancelled_when CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX workshop_site_starts ON workshop (site_id, starts_at);
CREATE UNIQUE INDEX workshop_room_booking_once ON workshop (room_booking_id) WHERE room_booking_id IS NOT NULL;

CREATE TABLE workshop_trainer (
    id          serial PRIMARY KEY,
    workshop_id integer NOT NULL REFERENCES workshop(id),
    user_id     integer NOT NULL REFERENCES app_user(id),
    UNIQUE (workshop_id, user_id)
);

-- Seats held for a partner's participants until a time (e.g. 4 of 12 for the Mission Locale until
-- two days before). seats_taken counts the partner's registrations in them; released_at is set when
-- the hold ends and its untaken seats go back to everyone (workshop.held_free drops by as many).
CREATE TABLE workshop_hold (
    id          serial PRIMARY KEY,
    workshop_id integer NOT NULL REFERENCES workshop(id),
    partner_id  integer NOT NULL REFERENCES partner(id),
    seats       integer NOT NULL CHECK (seats BETWEEN 1 AND 500),
    held_until  timestamptz NOT NULL,
    seats_taken integer NOT NULL DEFAULT 0,
    released_at timestamptz,
    UNIQUE (workshop_id, partner_id),
    CONSTRAINT workshop_hold_within_seats CHECK (seats_taken BETWEEN 0 AND seats)
);

-- A sign-up: a seat (from the open pool or a partner's hold) or a place on the waiting list,
-- first come first served by (created_at, id). partner_id is the referring partner when they
-- signed up, kept for the report. One active sign-up per person and workshop.
CREATE TABLE registration (
    id               bigserial PRIMARY KEY,
    workshop_id      integer NOT NULL REFERENCES workshop(id),
    user_id          integer REFERENCES app_user(id),
    status           text NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
    seat             text CHECK (seat IN ('open', 'partner')),
    partner_id       integer REFERENCES partner(id),
    registered_by_id integer REFERENCES app_user(id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    seated_at        timestamptz,
    cancelled_at     timestamptz,
    CONSTRAINT registration_seat_when_registered CHECK ((status = 'registered') = (seat IS NOT NULL)),
    CONSTRAINT registration_cancelled_when CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE UNIQUE INDEX registration_active_once ON registration (workshop_id, user_id)
    WHERE status IN ('registered', 'waiting');
CREATE INDEX registration_waiting ON registration (workshop_id, created_at, id) WHERE status = 'waiting';
CREATE INDEX registration_user ON registration (user_id) WHERE user_id IS NOT NULL;

-- Who came, from when to when (late arrival, early leave); one row per sign-up.
CREATE TABLE attendance (
    registration_id bigint PRIMARY KEY REFERENCES registration(id),
    arrived_at      timestamptz NOT NULL,
    left_at         timestamptz NOT NULL,
    recorded_by_id  integer REFERENCES app_user(id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attendance_leaves_after_arriving CHECK (left_at > arrived_at)
);
