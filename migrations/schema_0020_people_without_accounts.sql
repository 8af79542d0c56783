-- People without an account (issues 29 and 30): a young person a partner refers to a workshop, a
-- visitor of the neighbourhood. They are app_user rows like learners, so the person lifecycle
-- (export, erasure, retention: fablab/people) covers them by the same declarations, and the desk
-- pass (pass_token_hash) is theirs too; they never sign in: no password, no invite.
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check
    CHECK (role IN ('learner', 'staff', 'admin', 'participant', 'visitor'));
ALTER TABLE app_user ADD CONSTRAINT app_user_no_password_without_account
    CHECK (role NOT IN ('participant', 'visitor') OR password_hash IS NULL);

-- A person's age decides consents and minimum ages (fablab/domain/ages.py); a partner often knows only
-- the year of birth. A full date, when known, says the year as well.
ALTER TABLE app_user ADD COLUMN birth_date date CHECK (birth_date BETWEEN '1900-01-01' AND '2100-12-31');
ALTER TABLE app_user ADD COLUMN birth_year integer CHECK (birth_year BETWEEN 1900 AND 2100);
ALTER TABLE app_user ADD CONSTRAINT app_user_birth_year_of_date
    CHECK (birth_date IS NULL OR birth_year = extract(year FROM birth_date));
