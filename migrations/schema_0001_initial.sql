-- The whole data model (docs/ARCHITECTURE.md, Domain model). Written as SQL because the rules that guard the
-- domain (exclusion constraint, partial indexes, CHECKs, the append-only trigger) are SQL.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE site (
    id            serial PRIMARY KEY,
    slug          varchar(32) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name          text NOT NULL,
    address       text NOT NULL DEFAULT '',
    timezone      text NOT NULL DEFAULT 'Europe/Paris',
    -- {"mon": [["09:00", "18:00"]], ...}: ISO weekdays, local times of the site
    opening_hours jsonb NOT NULL DEFAULT '{}'::jsonb,
    contact       text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE closure (
    id         serial PRIMARY KEY,
    site_id    integer REFERENCES site(id) ON DELETE CASCADE,  -- NULL: every site
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT closure_dates_ordered CHECK (ends_on >= starts_on)
);
CREATE INDEX closure_site_dates ON closure (site_id, starts_on, ends_on);

CREATE TABLE app_user (
    id              serial PRIMARY KEY,
    role            text NOT NULL CHECK (role IN ('learner', 'staff', 'admin')),
    name            text NOT NULL,
    login           text NOT NULL,
    email           text,
    password_hash   text,               -- NULL until the invite is accepted
    site_id         integer REFERENCES site(id),
    cohort          text NOT NULL DEFAULT '',
    active          boolean NOT NULL DEFAULT true,
    pass_token_hash text UNIQUE,        -- the learner's desk pass (QR), stored hashed
    anonymised_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_login_ci ON app_user (lower(login));
CREATE INDEX app_user_site_role ON app_user (site_id, role);

CREATE TABLE training (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE resource (
    id         serial PRIMARY KEY,
    site_id    integer NOT NULL REFERENCES site(id),
    kind       text NOT NULL CHECK (kind IN ('laptop', 'printer_3d', 'room')),
    name       text NOT NULL,
    tag        varchar(40) NOT NULL CHECK (tag ~ '^[A-Z0-9][A-Z0-9-]*$'),
    status     text NOT NULL DEFAULT 'available'
               CHECK (status IN ('available', 'maintenance', 'lost', 'retired')),
    -- laptop: model, serial; printer_3d: model, build_volume, materials; room: capacity
    details    jsonb NOT NULL DEFAULT '{}'::jsonb,
    notes      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Tags are stored upper-case; the index makes lookups case-insensitive and unique.
CREATE UNIQUE INDEX resource_tag_ci ON resource (upper(tag));
CREATE INDEX resource_site_kind ON resource (site_id, kind, status);

CREATE TABLE policy (
    id                     serial PRIMARY KEY,
    site_id                integer NOT NULL REFERENCES site(id),
    kind                   text NOT NULL CHECK (kind IN ('laptop', 'printer_3d', 'room')),
    resource_id            integer REFERENCES resource(id),  -- set: an override for one unit
    -- 'minutes': slots of slot_minutes, lengths in minutes; 'days': whole opening days
    unit                   text NOT NULL DEFAULT 'minutes' CHECK (unit IN ('minutes', 'days')),
    slot_minutes           integer NOT NULL DEFAULT 30 CHECK (slot_minutes > 0),
    min_length             integer NOT NULL DEFAULT 30 CHECK (min_length > 0),
    max_length             integer NOT NULL DEFAULT 240,
    max_days_ahead         integer NOT NULL DEFAULT 14 CHECK (max_days_ahead >= 0),
    buffer_minutes         integer NOT NULL DEFAULT 0 CHECK (buffer_minutes >= 0),
    may_end_after_closing  boolean NOT NULL DEFAULT false,
    checkout_grace_minutes integer NOT NULL DEFAULT 30 CHECK (checkout_grace_minutes >= 0),
    max_active_bookings    integer,     -- per learner and kind; NULL: no limit
    max_hours_per_week     integer,     -- per learner and kind; NULL: no limit
    training_id            integer REFERENCES training(id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT policy_lengths_ordered CHECK (max_length >= min_length)
);
CREATE UNIQUE INDEX policy_site_kind ON policy (site_id, kind) WHERE resource_id IS NULL;
CREATE UNIQUE INDEX policy_resource ON policy (resource_id) WHERE resource_id IS NOT NULL;

CREATE TABLE certification (
    id            serial PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES app_user(id),
    training_id   integer NOT NULL REFERENCES training(id),
    granted_by_id integer REFERENCES app_user(id),
    granted_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    UNIQUE (user_id, training_id)
);

CREATE TABLE booking (
    id               bigserial PRIMARY KEY,
    resource_id      integer NOT NULL REFERENCES resource(id),
    -- site and kind copied from the resource so site feeds and quotas need no join
    site_id          integer NOT NULL REFERENCES site(id),
    kind             text NOT NULL CHECK (kind IN ('laptop', 'printer_3d', 'room')),
    user_id          integer REFERENCES app_user(id),   -- NULL once anonymised
    created_by_id    integer REFERENCES app_user(id),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    -- ends_at plus the policy's buffer, fixed when the booking is written
    blocked_until    timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'confirmed'
                     CHECK (status IN ('confirmed', 'checked_out', 'returned', 'cancelled', 'no_show')),
    purpose          text NOT NULL DEFAULT '',
    sequence         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    checked_out_at   timestamptz,
    returned_at      timestamptz,
    cancelled_at     timestamptz,
    no_show_at       timestamptz,
    CONSTRAINT booking_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT booking_buffer_after_end CHECK (blocked_until >= ends_at),
    -- Rule 1 of docs/ARCHITECTURE.md: no two active bookings of one resource overlap, on any worker.
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (
        resource_id WITH =,
        tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (status IN ('confirmed', 'checked_out'))
);
-- Rule 2: at most one open check-out per resource.
CREATE UNIQUE INDEX booking_one_checked_out ON booking (resource_id) WHERE status = 'checked_out';
CREATE INDEX booking_user_starts ON booking (user_id, starts_at);
CREATE INDEX booking_site_starts ON booking (site_id, starts_at);
CREATE INDEX booking_resource_starts ON booking (resource_id, starts_at);
CREATE INDEX booking_updated ON booking (site_id, updated_at);

CREATE TABLE audit (
    id            serial PRIMARY KEY,
    site_id       integer NOT NULL REFERENCES site(id),
    started_by_id integer REFERENCES app_user(id),
    started_at    timestamptz NOT NULL DEFAULT now(),
    closed_at     timestamptz,
    report        jsonb
);

CREATE TABLE movement (
    id          bigserial PRIMARY KEY,
    resource_id integer NOT NULL REFERENCES resource(id),
    kind        text NOT NULL CHECK (kind IN ('check_out', 'check_in', 'maintenance_start',
                    'maintenance_end', 'lost', 'found', 'audit_seen', 'transfer', 'retired')),
    booking_id  bigint REFERENCES booking(id),
    holder_id   integer REFERENCES app_user(id),
    staff_id    integer REFERENCES app_user(id),
    audit_id    integer REFERENCES audit(id),
    site_id     integer REFERENCES site(id),     -- where it happened (transfers, audits)
    at          timestamptz NOT NULL DEFAULT now(),
    condition   text CHECK (condition IN ('ok', 'damaged', 'incomplete')),
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX movement_resource_at ON movement (resource_id, at);
CREATE INDEX movement_holder_at ON movement (holder_id, at);
CREATE INDEX movement_audit ON movement (audit_id) WHERE audit_id IS NOT NULL;

-- Rule 6: the custody log is append-only. The only change allowed is forgetting the person
-- (GDPR anonymisation sets holder/staff to NULL and clears the note).
CREATE FUNCTION movement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'movements are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.resource_id IS DISTINCT FROM OLD.resource_id
       OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.booking_id IS DISTINCT FROM OLD.booking_id
       OR NEW.audit_id IS DISTINCT FROM OLD.audit_id OR NEW.site_id IS DISTINCT FROM OLD.site_id
       OR NEW.at IS DISTINCT FROM OLD.at OR NEW.condition IS DISTINCT FROM OLD.condition
       OR (NEW.holder_id IS NOT NULL AND NEW.holder_id IS DISTINCT FROM OLD.holder_id)
       OR (NEW.staff_id IS NOT NULL AND NEW.staff_id IS DISTINCT FROM OLD.staff_id)
       OR (NEW.note <> '' AND NEW.note IS DISTINCT FROM OLD.note) THEN
        RAISE EXCEPTION 'movements are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER movement_append_only BEFORE UPDATE OR DELETE ON movement
    FOR EACH ROW EXECUTE FUNCTION movement_append_only();

CREATE TABLE user_session (
    id           bigserial PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    user_id      integer NOT NULL REFERENCES app_user(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE feed_token (
    id         serial PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    user_id    integer NOT NULL REFERENCES app_user(id),
    scope      text NOT NULL CHECK (scope IN ('me', 'staff')),
    site_id    integer REFERENCES site(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE UNIQUE INDEX feed_token_live ON feed_token (user_id, scope) WHERE revoked_at IS NULL;

CREATE TABLE invite (
    id            serial PRIMARY KEY,
    token_hash    text NOT NULL UNIQUE,
    user_id       integer NOT NULL REFERENCES app_user(id),
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX invite_user ON invite (user_id);

-- Failed logins, shared by every worker, for throttling per account and per client address.
CREATE TABLE login_attempt (
    id  bigserial PRIMARY KEY,
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_key_at ON login_attempt (key, at);

-- Admin settings that must agree across workers (e.g. the GDPR retention period).
CREATE TABLE app_setting (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
