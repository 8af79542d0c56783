-- Parts that travel with an item (issue 19): a laptop's charger, a printer's spool holder. A part
-- is never deleted while history names it: removing it from its item sets removed_at.
CREATE TABLE part (
    id          serial PRIMARY KEY,
    resource_id integer NOT NULL REFERENCES resource(id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Its own label, optional; same shape as an item's tag, and never an item's tag (the parts
    -- service checks both tables under one advisory lock per tag).
    tag         varchar(40) CHECK (tag ~ '^[A-Z0-9][A-Z0-9-]*$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    removed_at  timestamptz
);
CREATE INDEX part_resource ON part (resource_id) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX part_tag_ci ON part (upper(tag)) WHERE tag IS NOT NULL AND removed_at IS NULL;

-- Each part's way with each loan of its item: handed over or not at the check-out; back with the
-- item, or missing from the return (missing_at) and held by the learner until it comes back (back_at).
CREATE TABLE part_custody (
    id          bigserial PRIMARY KEY,
    part_id     integer NOT NULL REFERENCES part(id),
    booking_id  bigint NOT NULL REFERENCES booking(id),
    handed_over boolean NOT NULL,
    out_at      timestamptz NOT NULL,
    missing_at  timestamptz,
    back_at     timestamptz,
    back_staff_id integer REFERENCES app_user(id),
    CONSTRAINT part_custody_once UNIQUE (part_id, booking_id),
    CONSTRAINT part_custody_kept_at_desk CHECK (handed_over OR (missing_at IS NULL AND back_at IS NULL)),
    CONSTRAINT part_custody_back_after_out CHECK (back_at IS NULL OR back_at >= out_at)
);
-- One learner at a time holds a part: with its item, or after the item came back without it.
CREATE UNIQUE INDEX part_custody_one_holder ON part_custody (part_id) WHERE handed_over AND back_at IS NULL;
CREATE INDEX part_custody_booking ON part_custody (booking_id);

-- The custody log names the part: not handed over at a check-out, missing from a return, returned later.
ALTER TABLE movement ADD COLUMN part_id integer REFERENCES part(id);
ALTER TABLE movement DROP CONSTRAINT IF EXISTS movement_kind_check;
ALTER TABLE movement ADD CONSTRAINT movement_kind_check CHECK (kind IN ('check_out', 'check_in',
    'maintenance_start', 'maintenance_end', 'lost', 'found', 'audit_seen', 'transfer', 'retired',
    'part_not_handed_over', 'part_missing', 'part_returned'));
ALTER TABLE movement ADD CONSTRAINT movement_part_kinds_name_a_part
    CHECK ((kind LIKE 'part\_%') = (part_id IS NOT NULL));
CREATE INDEX movement_part ON movement (part_id) WHERE part_id IS NOT NULL;

-- Rule 6 for the new column (movement_append_only guards the others): a movement's part never changes.
CREATE FUNCTION movement_part_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.part_id IS DISTINCT FROM OLD.part_id THEN
        RAISE EXCEPTION 'movements are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER movement_part_fixed BEFORE UPDATE ON movement FOR EACH ROW EXECUTE FUNCTION movement_part_fixed();
