-- Visitors of the neighbourhood (issue 30, visitors half). Owner: fablab/visitors.
-- A visitor is an app_user (role 'visitor': no password, by CHECK) with a participant row, so the
-- workshops sign them up and scan their pass like anyone's; this row is their pass: the days it is
-- valid (one, or up to a week), what they came for, an optional age band. After the admin-set delay
-- (app_setting 'visitor_anonymise_days', 30 by default) past its last day, the person and this row
-- forget everything but the site, the day made and the age band: the impact report still counts them.
CREATE TABLE visitor_pass (
    user_id       integer PRIMARY KEY REFERENCES app_user(id),
    site_id       integer NOT NULL REFERENCES site(id),
    valid_from    date NOT NULL,
    valid_until   date NOT NULL,
    -- fablab/domain/ages.py AGE_BANDS (the impact report's bands).
    age_band      text CHECK (age_band IN ('under_16', '16_17', '18_25', 'over_25')),
    purpose       text NOT NULL DEFAULT '' CHECK (length(purpose) <= 200),
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    anonymised_at timestamptz,
    CONSTRAINT visitor_pass_at_most_a_week CHECK (valid_until >= valid_from AND valid_until <= valid_from + 6)
);
-- The desk's list of a day's visitors at a site, and the anonymisation job's scan.
CREATE INDEX visitor_pass_of_site ON visitor_pass (site_id, valid_until);
