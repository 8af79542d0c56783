DROP TABLE IF EXISTS consumable_alert;
DROP TABLE IF EXISTS print_log;
DROP TRIGGER IF EXISTS consumable_movement_append_only ON consumable_movement;
DROP TABLE IF EXISTS consumable_movement;
DROP FUNCTION IF EXISTS consumable_movement_append_only();
DROP TABLE IF EXISTS consumable;
