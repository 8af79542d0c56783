-- The desk's loan agreements and hand-overs of several items (issue 31). Owner: fablab/desk.

-- A site's loan agreement: each new text is a new version; the old ones stay, as the receipts
-- signed under them cite them. every_loan: the learner signs at every loan (else once per version).
CREATE TABLE loan_agreement (
    id            serial PRIMARY KEY,
    site_id       integer NOT NULL REFERENCES site(id),
    version       integer NOT NULL CHECK (version >= 1),
    text          text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 20000),
    every_loan    boolean NOT NULL DEFAULT false,
    created_by_id integer REFERENCES app_user(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, version)
);

-- One hand-over at the desk: several items to one learner in one confirmation, and, when the
-- agreement was signed then, the signature, the exact text and version signed, and a SHA-256 over
-- what was signed (items, parts, return times, people, time, text, signature image).
CREATE TABLE handover (
    id                bigserial PRIMARY KEY,
    site_id           integer NOT NULL REFERENCES site(id),
    user_id           integer REFERENCES app_user(id),
    staff_id          integer REFERENCES app_user(id),
    at                timestamptz NOT NULL,
    due_at            timestamptz NOT NULL,
    agreement_id      integer REFERENCES loan_agreement(id),
    agreement_version integer,
    agreement_text    text NOT NULL DEFAULT '',
    signature_png     bytea,
    signed_hash       text NOT NULL DEFAULT '' CHECK (signed_hash ~ '^([0-9a-f]{64})?$'),
    CHECK ((agreement_id IS NULL) = (agreement_version IS NULL))
);
CREATE INDEX handover_user ON handover (user_id, agreement_id) WHERE user_id IS NOT NULL;

-- The items of a hand-over: each is one loan (a booking checked out), with the parts that went with it.
CREATE TABLE handover_item (
    id          bigserial PRIMARY KEY,
    handover_id bigint NOT NULL REFERENCES handover(id),
    booking_id  bigint NOT NULL UNIQUE REFERENCES booking(id),
    resource_id integer NOT NULL REFERENCES resource(id),
    position    smallint NOT NULL CHECK (position >= 0),
    due_at      timestamptz NOT NULL,
    parts       jsonb NOT NULL DEFAULT '[]',
    UNIQUE (handover_id, position)
);
