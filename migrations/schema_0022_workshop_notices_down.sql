DROP INDEX registration_to_tell;
ALTER TABLE registration DROP COLUMN tell_attempts;
ALTER TABLE registration DROP COLUMN told_at;
ALTER TABLE registration DROP COLUMN notice;
