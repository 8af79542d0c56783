DROP TABLE IF EXISTS reminder_log;
