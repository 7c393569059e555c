-- Every committed change to what evaluation serves is announced to every flag-api replica with NOTIFY, sent from the
-- writing transaction itself (PostgreSQL delivers it on commit, in commit order, and never for a rolled-back one).
-- Triggers rather than calls in the Java write paths, so that no writer (API, approval applier, a migration, a manual
-- fix) can change a flag without the replicas hearing of it. The payload is the row's identity only ("flag:<id>",
-- "segment:<project>/<environment>"): a replica re-reads just that flag or that environment's segments. Identical
-- payloads in one transaction are delivered once (a new flag's environment rows make one notification).
create or replace function flagledger_snapshot_notify() returns trigger
    language plpgsql as
$$
declare
    row_data record;
begin
    row_data := case when tg_op = 'DELETE' then old else new end;
    if tg_table_name = 'flag' then
        perform pg_notify('flagledger_snapshot', 'flag:' || row_data.id);
    elsif tg_table_name = 'flag_environment' then
        perform pg_notify('flagledger_snapshot', 'flag:' || row_data.flag_id);
    else
        perform pg_notify('flagledger_snapshot', 'segment:' || row_data.project || '/' || row_data.environment);
    end if;
    return null;
end;
$$;

create trigger flag_snapshot_notify after insert or update or delete on flag
    for each row execute function flagledger_snapshot_notify();
create trigger flag_environment_snapshot_notify after insert or update or delete on flag_environment
    for each row execute function flagledger_snapshot_notify();
create trigger segment_snapshot_notify after insert or update or delete on segment
    for each row execute function flagledger_snapshot_notify();
