-- Recurring bookings and waitlists (issue 10).

-- A series is the rule staff wrote ("every Tuesday 09:00-12:30 until 30 June"); its occurrences
-- are ordinary bookings, each under the same exclusion constraint, pointing back to it.
CREATE TABLE booking_series (
    id            bigserial PRIMARY KEY,
    site_id       integer NOT NULL REFERENCES site(id),
    kind          text NOT NULL,
    resource_id   integer REFERENCES resource(id),   -- NULL: any free unit(s) of the kind
    quantity      integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 50),
    user_id       integer REFERENCES app_user(id),   -- for whom (NULL once anonymised)
    created_by_id integer REFERENCES app_user(id),
    purpose       text NOT NULL DEFAULT '',
    rule          jsonb NOT NULL,                    -- weekdays, interval, first day, until/count, times
    created_at    timestamptz NOT NULL DEFAULT now(),
    cancelled_at  timestamptz,
    CHECK (resource_id IS NULL OR quantity = 1)
);

ALTER TABLE booking
    ADD COLUMN series_id bigint REFERENCES booking_series(id),
    ADD COLUMN occurrence_date date,                 -- the site-local day this occurrence stands for
    ADD CONSTRAINT booking_occurrence_in_series CHECK ((series_id IS NULL) = (occurrence_date IS NULL));
CREATE INDEX booking_series_occurrences ON booking (series_id, occurrence_date) WHERE series_id IS NOT NULL;

-- "Tell me when one frees": first come, first served, in id order.
CREATE TABLE waitlist_entry (
    id          bigserial PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    site_id     integer NOT NULL REFERENCES site(id),
    kind        text NOT NULL,
    resource_id integer REFERENCES resource(id),     -- NULL: any unit of the kind
    day         date NOT NULL,                       -- site-local day of the wish
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    booking_id  bigint REFERENCES booking(id),
    skip_reason text,                                -- why the last offer went to the next person
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    seen_at     timestamptz,                         -- the learner saw the "you got it" notice
    CONSTRAINT waitlist_entry_times CHECK (ends_at > starts_at),
    CONSTRAINT waitlist_entry_status CHECK (status IN ('waiting', 'booked', 'removed', 'expired')),
    CONSTRAINT waitlist_entry_booked CHECK ((status = 'booked') = (booking_id IS NOT NULL))
);
-- One active wish per learner per day and kind (fairness: nobody queues twice).
CREATE UNIQUE INDEX waitlist_one_per_day ON waitlist_entry (user_id, day, kind) WHERE status = 'waiting';
CREATE INDEX waitlist_queue ON waitlist_entry (site_id, kind, day, id) WHERE status = 'waiting';
CREATE INDEX waitlist_by_user ON waitlist_entry (user_id, created_at DESC);

-- "A slot freed and it is yours" is a reminder like the others: sent once, through the sent-log.
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked'));
