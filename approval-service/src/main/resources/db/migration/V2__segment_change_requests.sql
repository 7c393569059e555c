-- A change request targets either one flag's environment config or one segment's definition in an environment.
-- previous_config/proposed_config then hold segment definitions ({} when the segment does not exist yet).
alter table change_request add column target varchar(16) not null default 'flag';
alter table change_request add column segment_key varchar(128);
alter table change_request alter column flag_key drop not null;
alter table change_request add constraint change_request_one_target check (
    (target = 'flag' and flag_key is not null and segment_key is null)
    or (target = 'segment' and segment_key is not null and flag_key is null));
create index change_request_segment on change_request (project, segment_key, environment) where segment_key is not null;
