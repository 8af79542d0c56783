DROP TABLE visitor_pass;
DELETE FROM app_setting WHERE key = 'visitor_anonymise_days';
