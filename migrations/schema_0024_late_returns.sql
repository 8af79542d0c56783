-- Late returns and trainings that expire (issue 31). Owners: fablab/late (late_policy, late_strike,
-- suspension), fablab/accounts (the training's validity columns). Reminders of late loans are
-- reminder_log kinds like the others.

-- How long a training stays valid: for ever, a number of days from its grant, until a date, or
-- until a number of days without booking what it unlocks (a policy requiring it).
ALTER TABLE training
    ADD COLUMN validity    text NOT NULL DEFAULT 'forever' CHECK (validity IN ('forever', 'days', 'until', 'idle')),
    ADD COLUMN valid_days  integer CHECK (valid_days IS NULL OR valid_days BETWEEN 1 AND 3660),
    ADD COLUMN valid_until date,
    ADD COLUMN idle_days   integer CHECK (idle_days IS NULL OR idle_days BETWEEN 1 AND 3660),
    ADD CONSTRAINT training_validity_complete CHECK (
        (validity <> 'days' OR valid_days IS NOT NULL) AND (validity <> 'until' OR valid_until IS NOT NULL)
        AND (validity <> 'idle' OR idle_days IS NOT NULL));

-- A site's late-return rules: a return later than the grace is a strike; `strikes` strikes within
-- `window_days` suspend new bookings and loans at the site for `suspension_days`. No row, or
-- enabled false: no strikes, no suspensions (off by default).
CREATE TABLE late_policy (
    site_id         integer PRIMARY KEY REFERENCES site(id),
    enabled         boolean NOT NULL DEFAULT false,
    grace_minutes   integer NOT NULL DEFAULT 15 CHECK (grace_minutes BETWEEN 0 AND 10080),
    strikes         integer NOT NULL DEFAULT 3 CHECK (strikes BETWEEN 1 AND 50),
    window_days     integer NOT NULL DEFAULT 30 CHECK (window_days BETWEEN 1 AND 366),
    suspension_days integer NOT NULL DEFAULT 14 CHECK (suspension_days BETWEEN 1 AND 366),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A return later than its site's grace, once per loan. user_id NULL: forgotten (retention, erasure).
CREATE TABLE late_strike (
    id          bigserial PRIMARY KEY,
    user_id     integer REFERENCES app_user(id),
    booking_id  bigint NOT NULL UNIQUE REFERENCES booking(id),
    site_id     integer NOT NULL REFERENCES site(id),
    due_at      timestamptz NOT NULL,
    returned_at timestamptz NOT NULL,
    CONSTRAINT late_strike_is_late CHECK (returned_at > due_at)
);
CREATE INDEX late_strike_of_user ON late_strike (user_id, site_id, returned_at);

-- New bookings and loans of a person at a site refused from starts_at to ends_at, after `strikes`
-- strikes within `window_days`; staff may lift it early, with a reason that is kept.
CREATE TABLE suspension (
    id            bigserial PRIMARY KEY,
    user_id       integer REFERENCES app_user(id),
    site_id       integer NOT NULL REFERENCES site(id),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    strikes       integer NOT NULL CHECK (strikes > 0),
    window_days   integer NOT NULL CHECK (window_days > 0),
    lifted_at     timestamptz,
    lifted_by_id  integer REFERENCES app_user(id),
    lift_reason   text CHECK (lift_reason IS NULL OR length(lift_reason) <= 2000),
    CONSTRAINT suspension_has_length CHECK (ends_at > starts_at),
    CONSTRAINT suspension_lift_has_reason CHECK (lifted_at IS NULL OR lift_reason IS NOT NULL)
);
CREATE INDEX suspension_of_user ON suspension (user_id, site_id, ends_at);

-- Late loans are followed up a day and three days after their due time (staff told on the third).
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_withdrawn',
                    'loan_overdue_day', 'loan_overdue_three_days'));
