-- Maintenance by use (issue 19): a plan per site and kind, or per item (which overrides it), and
-- the log of maintenance done. Hours and loans are counted from the hand-overs (booking's
-- checked_out_at → returned_at) since the last record, so no check-in hook writes a counter.
CREATE TABLE maintenance_plan (
    id                  serial PRIMARY KEY,
    site_id             integer NOT NULL REFERENCES site(id),
    kind                text NOT NULL CHECK (kind IN ('laptop', 'printer_3d', 'room')),
    resource_id         integer REFERENCES resource(id),   -- NULL: the plan of every unit of the kind
    every_hours         integer CHECK (every_hours BETWEEN 1 AND 100000),
    every_loans         integer CHECK (every_loans BETWEEN 1 AND 100000),
    every_days          integer CHECK (every_days BETWEEN 1 AND 3650),
    task                text NOT NULL CHECK (length(task) BETWEEN 1 AND 200),
    refuse_when_overdue boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT maintenance_plan_has_a_measure CHECK (num_nonnulls(every_hours, every_loans, every_days) > 0)
);
-- One plan per kind at a site, one per item: simultaneous PUTs meet here (the upserts' ON CONFLICT).
CREATE UNIQUE INDEX maintenance_plan_kind_once ON maintenance_plan (site_id, kind) WHERE resource_id IS NULL;
CREATE UNIQUE INDEX maintenance_plan_resource_once ON maintenance_plan (resource_id) WHERE resource_id IS NOT NULL;

CREATE TABLE maintenance_record (
    id          bigserial PRIMARY KEY,
    resource_id integer NOT NULL REFERENCES resource(id),
    task        text NOT NULL CHECK (length(task) BETWEEN 1 AND 200),
    note        text NOT NULL DEFAULT '',
    staff_id    integer REFERENCES app_user(id),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_record_resource_at ON maintenance_record (resource_id, at);

-- The counters and the machine-hours report read an item's hand-overs by time.
CREATE INDEX booking_resource_checked_out ON booking (resource_id, checked_out_at) WHERE checked_out_at IS NOT NULL;

-- The custody log tells the maintenance done too ('maintenance_done'). The kind CHECK is widened
-- by adding the word to whatever list it holds now (and narrowed again by the down step), so that
-- other migrations adding kinds of their own, merged in whatever order, keep theirs.
CREATE FUNCTION fablab_movement_kind(word text, wanted boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    check_name text;
    kinds text[];
BEGIN
    SELECT c.conname, array_agg(DISTINCT quoted[1]) INTO check_name, kinds
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS quoted
    WHERE c.conrelid = 'movement'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%kind%check_out%'
    GROUP BY c.conname;
    kinds := array_remove(kinds, word);
    IF wanted THEN
        kinds := array_append(kinds, word);
    END IF;
    EXECUTE format('ALTER TABLE movement DROP CONSTRAINT %I', check_name);
    -- Written as IN ('a', 'b'), which PostgreSQL keeps as ARRAY['a'::text, …]: quoted words, read again next time.
    EXECUTE format('ALTER TABLE movement ADD CONSTRAINT %I CHECK (kind IN (%s))', check_name,
                   (SELECT string_agg(quote_literal(k), ', ') FROM unnest(kinds) AS k));
END $$;
SELECT fablab_movement_kind('maintenance_done', true);
