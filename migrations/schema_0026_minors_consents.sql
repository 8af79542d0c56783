-- Minors and their guardians' consents (issue 30, the minors half). Owner: fablab/minors.
-- (The policy's min_age column is fablab/sites'.)

-- A minor's guardian: at least one way to reach them (phone or e-mail).
CREATE TABLE guardian (
    id            bigserial PRIMARY KEY,
    person_id     integer NOT NULL REFERENCES app_user(id),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    relation      text NOT NULL DEFAULT '' CHECK (length(relation) <= 100),
    phone         text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    email         text NOT NULL DEFAULT '' CHECK (length(email) <= 320),
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT guardian_reachable CHECK (btrim(phone) <> '' OR btrim(email) <> '')
);
CREATE INDEX guardian_of_person ON guardian (person_id);

-- A site's consent text, one row per version (never changed: signed consents cite them).
CREATE TABLE consent_text (
    id            serial PRIMARY KEY,
    site_id       integer NOT NULL REFERENCES site(id),
    version       integer NOT NULL CHECK (version >= 1),
    text          text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 20000),
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, version)
);

-- A guardian's consent for a minor, covering any of participation, image rights, emergency care,
-- from starts_on to expires_on (both included). Signed on a screen: the drawn signature, the exact
-- text and version the guardian saw, and a SHA-256 over them; or a paper form staff recorded.
-- Revoked: no longer valid from revoked_at. reminded_at: the guardian was told it expires soon
-- (the sent-log of that reminder: set once, before the e-mail goes).
CREATE TABLE consent (
    id               bigserial PRIMARY KEY,
    person_id        integer NOT NULL REFERENCES app_user(id),
    site_id          integer NOT NULL REFERENCES site(id),
    guardian_id      bigint REFERENCES guardian(id) ON DELETE SET NULL,
    guardian_name    text NOT NULL DEFAULT '' CHECK (length(guardian_name) <= 200),
    participation    boolean NOT NULL DEFAULT false,
    image_rights     boolean NOT NULL DEFAULT false,
    emergency_care   boolean NOT NULL DEFAULT false,
    starts_on        date NOT NULL,
    expires_on       date NOT NULL,
    method           text NOT NULL CHECK (method IN ('signed', 'paper')),
    text_id          integer REFERENCES consent_text(id),
    text_version     integer,
    text_seen        text NOT NULL DEFAULT '',
    signature_png    bytea,
    signed_hash      text NOT NULL DEFAULT '' CHECK (signed_hash ~ '^([0-9a-f]{64})?$'),
    recorded_by_id   integer REFERENCES app_user(id),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz,
    revoked_by_id    integer REFERENCES app_user(id),
    reminded_at      timestamptz,
    CONSTRAINT consent_covers_something CHECK (participation OR image_rights OR emergency_care),
    CONSTRAINT consent_has_length CHECK (expires_on >= starts_on),
    CONSTRAINT consent_signed_complete CHECK (
        method <> 'signed' OR (signature_png IS NOT NULL AND text_version IS NOT NULL AND signed_hash <> ''))
);
CREATE INDEX consent_of_person ON consent (person_id, expires_on);
CREATE INDEX consent_expiring ON consent (site_id, expires_on) WHERE revoked_at IS NULL;

-- A policy's minimum age (per site and kind, or per unit): younger people are refused (too_young)
-- unless a trainer books for them.
ALTER TABLE policy ADD COLUMN min_age integer CHECK (min_age IS NULL OR min_age BETWEEN 1 AND 99);
