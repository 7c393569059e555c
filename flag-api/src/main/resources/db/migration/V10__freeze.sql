-- Incident freezes (table flag_freeze: "freeze" is a reserved word in PostgreSQL): while a freeze is active (lifted_at is null) flag writes in its scope are refused (423).
-- environment null freezes the whole project. Rows are never deleted: a lifted freeze is the record of the incident.
create table flag_freeze (
    id          uuid primary key,
    project     varchar(128)  not null,
    environment varchar(64),
    reason      varchar(2000) not null,
    ticket      varchar(256),
    set_by      varchar(256)  not null,
    set_at      timestamptz   not null,
    lifted_by   varchar(256),
    lifted_at   timestamptz,
    lift_reason varchar(2000)
);
-- One active freeze per scope: a second freeze of the same scope is 409, not a duplicate row.
create unique index flag_freeze_active_scope on flag_freeze (project, coalesce(environment, '')) where lifted_at is null;
