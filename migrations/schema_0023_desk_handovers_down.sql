DROP TABLE handover_item;
DROP TABLE handover;
DROP TABLE loan_agreement;
