-- Consumables (issue 19): filament, resin and other supplies counted per site, whose stock changes
-- only through an append-only ledger; the outcome of each 3D print; low-stock alerts told once.
CREATE TABLE consumable (
    id                          serial PRIMARY KEY,
    site_id                     integer NOT NULL REFERENCES site(id),
    name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit                        text NOT NULL CHECK (unit IN ('g', 'ml', 'unit')),
    -- The guarantee behind 409 insufficient_stock: a use is an UPDATE of this row, in the same
    -- transaction as its ledger row, so no interleaving of desks can take the stock below zero.
    quantity                    integer NOT NULL DEFAULT 0 CONSTRAINT consumable_stock_not_negative CHECK (quantity >= 0),
    low_threshold               integer NOT NULL DEFAULT 0 CHECK (low_threshold >= 0),
    -- What one learner may use in a calendar month (site time) before the desk is warned; NULL: no budget.
    monthly_budget_per_learner  integer CHECK (monthly_budget_per_learner > 0),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX consumable_name_per_site ON consumable (site_id, lower(name));

-- The ledger: every change of a stock, signed (delta), with the stock it left (quantity_after).
CREATE TABLE consumable_movement (
    id              bigserial PRIMARY KEY,
    consumable_id   integer NOT NULL REFERENCES consumable(id),
    kind            text NOT NULL CHECK (kind IN ('restock', 'use', 'adjust', 'loss')),
    delta           integer NOT NULL,
    quantity_after  integer NOT NULL CHECK (quantity_after >= 0),
    booking_id      bigint REFERENCES booking(id),
    -- Who used it (the booking's learner): the monthly budget and the report count per person.
    user_id         integer REFERENCES app_user(id),
    staff_id        integer REFERENCES app_user(id),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consumable_movement_sign CHECK (
        (kind = 'restock' AND delta > 0) OR (kind IN ('use', 'loss') AND delta < 0) OR kind = 'adjust')
);
CREATE INDEX consumable_movement_consumable_at ON consumable_movement (consumable_id, at);
CREATE INDEX consumable_movement_user_at ON consumable_movement (user_id, at) WHERE user_id IS NOT NULL;
CREATE INDEX consumable_movement_booking ON consumable_movement (booking_id) WHERE booking_id IS NOT NULL;

-- Append-only, like the custody log: no route updates or deletes it, and PostgreSQL refuses it
-- too. The only change allowed is forgetting people (GDPR: user, staff to NULL, the note cleared).
CREATE FUNCTION consumable_movement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'consumable movements are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.consumable_id IS DISTINCT FROM OLD.consumable_id
       OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.delta IS DISTINCT FROM OLD.delta
       OR NEW.quantity_after IS DISTINCT FROM OLD.quantity_after OR NEW.booking_id IS DISTINCT FROM OLD.booking_id
       OR NEW.at IS DISTINCT FROM OLD.at
       OR (NEW.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
       OR (NEW.staff_id IS NOT NULL AND NEW.staff_id IS DISTINCT FROM OLD.staff_id)
       OR (NEW.note <> '' AND NEW.note IS DISTINCT FROM OLD.note) THEN
        RAISE EXCEPTION 'consumable movements are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER consumable_movement_append_only BEFORE UPDATE OR DELETE ON consumable_movement
    FOR EACH ROW EXECUTE FUNCTION consumable_movement_append_only();

-- How a 3D print went, one row per booking (the booking table belongs to bookings). Grams come
-- from the ledger's uses of the booking, the duration from its check-out and return.
CREATE TABLE print_log (
    booking_id   bigint PRIMARY KEY REFERENCES booking(id),
    outcome      text NOT NULL CHECK (outcome IN ('success', 'failed')),
    staff_id     integer REFERENCES app_user(id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX print_log_recorded ON print_log (recorded_at);

-- A stock gone below its threshold: one open alert per consumable until it is back at or above
-- it (the partial unique index is what makes "told once"); the e-mail goes once per alert.
CREATE TABLE consumable_alert (
    id             bigserial PRIMARY KEY,
    consumable_id  integer NOT NULL REFERENCES consumable(id),
    quantity       integer NOT NULL,
    low_threshold  integer NOT NULL,
    opened_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    mailed_at      timestamptz,
    mail_attempts  integer NOT NULL DEFAULT 0 CHECK (mail_attempts >= 0)
);
CREATE UNIQUE INDEX consumable_alert_one_open ON consumable_alert (consumable_id) WHERE resolved_at IS NULL;
