-- What the system did to a sign-up that its person must be told (issue 29): a seat given from the
-- waiting list, or the workshop cancelled (by staff or a closure). The app shows it at once (GET
-- /api/me/workshops); an e-mail goes once, by the workshop-notices job, when SMTP is configured and
-- the person has an address: told_at says it went (or that there was nobody to send it to).
ALTER TABLE registration ADD COLUMN notice text CHECK (notice IN ('seated', 'workshop_cancelled'));
ALTER TABLE registration ADD COLUMN told_at timestamptz;
ALTER TABLE registration ADD COLUMN tell_attempts integer NOT NULL DEFAULT 0 CHECK (tell_attempts >= 0);
CREATE INDEX registration_to_tell ON registration (id) WHERE notice IS NOT NULL AND told_at IS NULL;
