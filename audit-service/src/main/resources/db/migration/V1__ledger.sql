-- The ledger: one row per accepted event, in a dense sequence. Rows are never changed or removed.
create table ledger_entry (
    seq              bigint        primary key,
    event_id         uuid          not null unique,
    canonical_json   text          not null,
    leaf_hash        bytea         not null,
    received_at      timestamptz   not null,
    source_topic     varchar(249)  not null,
    source_partition integer       not null,
    source_offset    bigint        not null,
    occurred_at      timestamptz   not null,
    source_service   varchar(128)  not null,
    action           varchar(64)   not null,
    actor_id         varchar(256)  not null,
    actor_type       varchar(16)   not null,
    project          varchar(128),
    flag_id          varchar(128),
    environment      varchar(64),
    correlation_id   varchar(256)  not null
);
create index ledger_entry_flag on ledger_entry (project, flag_id, seq desc);
create index ledger_entry_actor on ledger_entry (actor_id, seq desc);
create index ledger_entry_correlation on ledger_entry (correlation_id);
create index ledger_entry_occurred on ledger_entry (occurred_at);

-- Events that failed verification are kept, never dropped, with the reason.
create table quarantined_event (
    id               bigserial     primary key,
    received_at      timestamptz   not null,
    source_topic     varchar(249)  not null,
    source_partition integer       not null,
    source_offset    bigint        not null,
    reason           varchar(2000) not null,
    payload          bytea         not null,
    constraint quarantined_event_source unique (source_topic, source_partition, source_offset)
);

create function refuse_ledger_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit tables are append-only: % on % refused', tg_op, tg_table_name;
end
$$;

-- Statement-level, so even an UPDATE or DELETE that matches no row is refused.
create trigger ledger_entry_append_only before update or delete or truncate on ledger_entry
    for each statement execute function refuse_ledger_change();
create trigger quarantined_event_append_only before update or delete or truncate on quarantined_event
    for each statement execute function refuse_ledger_change();
