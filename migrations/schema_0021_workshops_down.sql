DROP TABLE attendance;
DROP TABLE registration;
DROP TABLE workshop_hold;
DROP TABLE workshop_trainer;
DROP TABLE workshop;
DROP TABLE course;
DROP TABLE participant;
DROP TABLE partner;
