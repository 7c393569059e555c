-- The role audit-service runs as may read and append, nothing else: no UPDATE, DELETE or TRUNCATE, on top of
-- the append-only triggers (which only the owner could disable). Migrations run as the owner
-- (quarkus.flyway.username); the service's login role (quarkus.datasource.username) is made a member of
-- ${app_role} by the DBA: GRANT ${app_role} TO <login role>. Roles are cluster-wide, so it is created only once.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = '${app_role}') then
        execute format('create role %I nologin', '${app_role}');
    end if;
end
$$;

grant usage on schema public to ${app_role};
grant select, insert on ledger_entry, quarantined_event, merkle_node, checkpoint to ${app_role};
grant usage on sequence quarantined_event_id_seq to ${app_role};
-- Tables later migrations create get the same two rights, and only those; a migration that needs more grants it.
alter default privileges in schema public grant select, insert on tables to ${app_role};
alter default privileges in schema public grant usage on sequences to ${app_role};
