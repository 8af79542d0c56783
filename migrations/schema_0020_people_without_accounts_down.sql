ALTER TABLE app_user DROP CONSTRAINT app_user_birth_year_of_date;
ALTER TABLE app_user DROP COLUMN birth_year;
ALTER TABLE app_user DROP COLUMN birth_date;
ALTER TABLE app_user DROP CONSTRAINT app_user_no_password_without_account;
DELETE FROM app_user WHERE role IN ('participant', 'visitor');
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('learner', 'staff', 'admin'));
