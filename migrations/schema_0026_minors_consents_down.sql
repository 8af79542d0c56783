ALTER TABLE policy DROP COLUMN min_age;
DROP TABLE consent;
DROP TABLE consent_text;
DROP TABLE guardian;
