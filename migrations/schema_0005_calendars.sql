-- Calendar feeds (issue 6): cheap "has this feed changed?" reads, shared by every worker.

-- A feed shows the bookings that end after its window start; future bookings are bounded by
-- the policies' "how far ahead", so a range scan on ends_at reads about the window and no more.
-- INCLUDE lets the version query (count, max, sums) run as an index-only scan.
CREATE INDEX booking_site_ends ON booking (site_id, ends_at)
    INCLUDE (id, kind, starts_at, status, sequence, updated_at, cancelled_at, no_show_at);
CREATE INDEX booking_resource_ends ON booking (resource_id, ends_at)
    INCLUDE (id, starts_at, status, sequence, updated_at, cancelled_at, no_show_at);
CREATE INDEX booking_user_ends ON booking (user_id, ends_at)
    INCLUDE (id, starts_at, status, sequence, updated_at, cancelled_at, no_show_at);

-- Everything a feed shows besides booking rows (closures, resource, site and user names) changes
-- rarely; each such change bumps a counter here. Closures can be deleted, which no max(updated_at)
-- would notice. site_id 0 stands for changes that touch every site.
CREATE TABLE feed_epoch (
    site_id    integer PRIMARY KEY,
    version    bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION feed_epoch_bump(target integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO feed_epoch (site_id, version, changed_at) VALUES (coalesce(target, 0), 1, now())
    ON CONFLICT (site_id) DO UPDATE
        SET version = feed_epoch.version + 1, changed_at = greatest(feed_epoch.changed_at, now());
$$;

CREATE FUNCTION feed_epoch_on_closure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM feed_epoch_bump(0);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM feed_epoch_bump(OLD.site_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM feed_epoch_bump(NEW.site_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER feed_epoch_closure AFTER INSERT OR UPDATE OR DELETE ON closure
    FOR EACH ROW EXECUTE FUNCTION feed_epoch_on_closure();
CREATE TRIGGER feed_epoch_closure_truncate AFTER TRUNCATE ON closure
    FOR EACH STATEMENT EXECUTE FUNCTION feed_epoch_on_closure();

CREATE FUNCTION feed_epoch_on_resource() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_epoch_bump(OLD.site_id);
    IF NEW.site_id IS DISTINCT FROM OLD.site_id THEN
        PERFORM feed_epoch_bump(NEW.site_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER feed_epoch_resource AFTER UPDATE ON resource
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.tag IS DISTINCT FROM NEW.tag
          OR OLD.site_id IS DISTINCT FROM NEW.site_id)
    EXECUTE FUNCTION feed_epoch_on_resource();

CREATE FUNCTION feed_epoch_on_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_epoch_bump(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER feed_epoch_site AFTER UPDATE ON site
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.address IS DISTINCT FROM NEW.address
          OR OLD.timezone IS DISTINCT FROM NEW.timezone OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION feed_epoch_on_site();

-- Holders' names appear in staff feeds and a learner's home site decides the closures in their
-- feed; such changes are rare (renames, GDPR anonymisation), so they touch every feed.
CREATE FUNCTION feed_epoch_on_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_epoch_bump(0);
    RETURN NULL;
END $$;
CREATE TRIGGER feed_epoch_user AFTER UPDATE ON app_user
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.login IS DISTINCT FROM NEW.login
          OR OLD.site_id IS DISTINCT FROM NEW.site_id OR OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION feed_epoch_on_user();

-- The ETag each feed last had and since when: Last-Modified is the first time any worker served
-- the current bytes, so it agrees across workers and only moves forward.
CREATE TABLE feed_state (
    feed_key      text PRIMARY KEY,
    etag          text NOT NULL,
    last_modified timestamptz NOT NULL
);
