-- The sites a staff account acts for (fablab/accounts/scope.py): its writes and its reads of personal data
-- stay within them. Admins act everywhere whatever is granted here.
-- A surrogate id because Piccolo tables have one; (user_id, site_id) is the real key.
CREATE TABLE staff_site (
    id         serial PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    site_id    integer NOT NULL REFERENCES site(id) ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staff_site_once UNIQUE (user_id, site_id)
);
CREATE INDEX staff_site_site ON staff_site (site_id);

-- Every staff account starts with its home site, however it was created (API, CLI, seed, import).
CREATE FUNCTION fablab_grant_home_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.role IN ('staff', 'admin') AND NEW.site_id IS NOT NULL THEN
        INSERT INTO staff_site (user_id, site_id) VALUES (NEW.id, NEW.site_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER app_user_home_site AFTER INSERT ON app_user
    FOR EACH ROW EXECUTE FUNCTION fablab_grant_home_site();

INSERT INTO staff_site (user_id, site_id)
SELECT id, site_id FROM app_user WHERE role IN ('staff', 'admin') AND site_id IS NOT NULL
ON CONFLICT DO NOTHING;

-- A session carries its user's sites: workers forget remembered sessions when grants change
-- (the notification of migration 0008).
CREATE TRIGGER staff_site_auth_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff_site
    FOR EACH STATEMENT EXECUTE FUNCTION fablab_notify_auth_change();

-- Why a booking was cancelled when the system did it (the item was retired or lost): the learner
-- is told, in the app and by the reminders' mail path.
ALTER TABLE booking ADD COLUMN cancel_reason text
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost'));

ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_withdrawn'));
