-- Logins are stored folded (issue 16): NFKC, lower case, trimmed, in one plain alphabet, so the
-- app compares equal strings and never relies on PostgreSQL's lower() beyond ASCII.
-- Folding two accounts onto one login would merge them: the oldest keeps the folded form, the
-- others (and any login still outside the alphabet) get `compte-<id>`, which staff can see.
WITH folded AS (
    SELECT id, lower(btrim(normalize(login, NFKC))) AS login FROM app_user
), winners AS (
    SELECT DISTINCT ON (login) id, login FROM folded ORDER BY login, id
)
UPDATE app_user u SET login = w.login
FROM winners w
WHERE u.id = w.id AND u.login <> w.login
  AND NOT EXISTS (SELECT 1 FROM app_user o WHERE o.id <> u.id AND lower(o.login) = w.login);

UPDATE app_user SET login = 'compte-' || id WHERE login !~ '^[a-z0-9][a-z0-9._-]{1,63}$';

ALTER TABLE app_user ADD CONSTRAINT app_user_login_folded CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,63}$');
