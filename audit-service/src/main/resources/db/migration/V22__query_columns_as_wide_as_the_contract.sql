-- The contract lets project, flag_id, environment and source_service be up to 256 characters (EventValidator.MAX_ID_LENGTH);
-- narrower columns made a valid, signed event fail at INSERT (SQLSTATE 22001), which the ingestor now quarantines.
-- A valid event must land instead. Widening a varchar rewrites neither the table nor its indexes.
alter table ledger_entry alter column project type varchar(256);
alter table ledger_entry alter column flag_id type varchar(256);
alter table ledger_entry alter column environment type varchar(256);
alter table ledger_entry alter column source_service type varchar(256);
