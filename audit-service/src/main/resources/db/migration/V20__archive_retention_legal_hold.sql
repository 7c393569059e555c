-- WORM archive, hot-tier retention and legal holds.
--
-- Payload retention without giving up append-only: leaf hashes, sequence numbers, indexed columns and the Merkle
-- nodes stay forever (proofs keep working); only ledger_entry.canonical_json may become NULL ("purged"), and only
--   * through purge_ledger_payloads() (SECURITY DEFINER, owned by the migration role; the service role needs no
--     UPDATE right, only EXECUTE), which opts in with a transaction-local setting the trigger looks for;
--   * for rows a verified archive segment covers and no active legal hold matches (the trigger checks this for
--     every row, so even the table owner cannot purge a held or unarchived payload without disabling triggers);
--   * changing nothing else in the row.
-- DELETE and TRUNCATE stay refused as before.

-- One immutable archived object: the entries first_seq..last_seq, sealed by the checkpoint of tree size last_seq.
-- A row is written only after the object was written, read back and its SHA-256 and signed root re-checked.
create table archive_segment (
    store           varchar(16)   not null,
    object_key      varchar(1024) not null,
    first_seq       bigint        not null,
    last_seq        bigint        not null,
    checkpoint_size bigint        not null references checkpoint (tree_size),
    sha256          bytea         not null,
    size_bytes      bigint        not null,
    retain_until    timestamptz,
    archived_at     timestamptz   not null,
    primary key (store, first_seq),
    constraint archive_segment_key unique (store, object_key),
    constraint archive_segment_range check (first_seq >= 1 and last_seq >= first_seq and checkpoint_size = last_seq),
    constraint archive_segment_sha256 check (octet_length(sha256) = 32)
);
create index archive_segment_last on archive_segment (last_seq);
create trigger archive_segment_append_only before update or delete or truncate on archive_segment
    for each statement execute function refuse_ledger_change();

-- Legal holds: every given criterion must match (AND); the time range is on the event's own time (occurred_at).
-- Holds are lifted, never deleted; placing and lifting are also signed events in the ledger.
create table legal_hold (
    id              uuid          primary key,
    reason          varchar(2000) not null,
    occurred_from   timestamptz,
    occurred_to     timestamptz,
    project         varchar(128),
    flag_id         varchar(128),
    actor_id        varchar(256),
    correlation_id  varchar(256),
    placed_by       varchar(256)  not null,
    placed_at       timestamptz   not null,
    placed_event_id uuid          not null,
    lifted_by       varchar(256),
    lifted_at       timestamptz,
    lifted_event_id uuid,
    lift_reason     varchar(2000),
    constraint legal_hold_criteria check (num_nonnulls(occurred_from, occurred_to, flag_id, actor_id, correlation_id) > 0),
    constraint legal_hold_range check (occurred_from is null or occurred_to is null or occurred_from < occurred_to),
    constraint legal_hold_project check (project is null or flag_id is not null),
    constraint legal_hold_lifted check ((lifted_at is null) = (lifted_by is null) and (lifted_at is null) = (lifted_event_id is null))
);
create index legal_hold_active on legal_hold (placed_at) where lifted_at is null;

-- A lift is the only change a hold ever gets.
create function guard_legal_hold_change() returns trigger language plpgsql as $$
begin
    if tg_op <> 'UPDATE' or old.lifted_at is not null or new.lifted_at is null
            or (to_jsonb(new) - array['lifted_by', 'lifted_at', 'lifted_event_id', 'lift_reason'])
               is distinct from (to_jsonb(old) - array['lifted_by', 'lifted_at', 'lifted_event_id', 'lift_reason']) then
        raise exception 'legal holds can only be lifted, once: % on % refused', tg_op, tg_table_name;
    end if;
    return new;
end
$$;
create trigger legal_hold_lift_only before update or delete on legal_hold
    for each row execute function guard_legal_hold_change();
create trigger legal_hold_no_truncate before truncate on legal_hold
    for each statement execute function refuse_ledger_change();

create function ledger_entry_held(e ledger_entry) returns boolean language sql stable as $$
    select exists (select 1 from legal_hold h
                   where h.lifted_at is null
                     and (h.occurred_from is null or e.occurred_at >= h.occurred_from)
                     and (h.occurred_to is null or e.occurred_at < h.occurred_to)
                     and (h.project is null or e.project = h.project)
                     and (h.flag_id is null or e.flag_id = h.flag_id)
                     and (h.actor_id is null or e.actor_id = h.actor_id)
                     and (h.correlation_id is null or e.correlation_id = h.correlation_id))
$$;

alter table ledger_entry alter column canonical_json drop not null;

-- ledger_entry_append_only stays a statement trigger, so DELETE, TRUNCATE and UPDATE are refused even when they match
-- no row; it now lets an UPDATE through only when purge_ledger_payloads() opted in with a transaction-local setting.
-- Anyone can set that setting, so the row trigger then enforces the purge rules row by row.
drop trigger ledger_entry_append_only on ledger_entry;
create function refuse_ledger_entry_change() returns trigger language plpgsql as $$
begin
    if tg_op <> 'UPDATE' or coalesce(current_setting('flagledger.payload_purge', true), '') <> 'on' then
        raise exception 'audit tables are append-only: % on % refused', tg_op, tg_table_name;
    end if;
    return null;
end
$$;
create trigger ledger_entry_append_only before update or delete or truncate on ledger_entry
    for each statement execute function refuse_ledger_entry_change();

create function guard_payload_purge() returns trigger language plpgsql as $$
begin
    -- Outside a purge the statement trigger has refused already (or a superuser disabled it on purpose).
    if coalesce(current_setting('flagledger.payload_purge', true), '') <> 'on' then
        return new;
    end if;
    if new.canonical_json is not null or old.canonical_json is null
            or (to_jsonb(new) - 'canonical_json') is distinct from (to_jsonb(old) - 'canonical_json') then
        raise exception 'audit tables are append-only: only a payload purge may change ledger_entry (seq %)', old.seq;
    end if;
    if not exists (select 1 from archive_segment a where old.seq between a.first_seq and a.last_seq) then
        raise exception 'payload of seq % is not in a verified archive segment: purge refused', old.seq;
    end if;
    if ledger_entry_held(old) then
        raise exception 'payload of seq % is under legal hold: purge refused', old.seq;
    end if;
    return new;
end
$$;
create trigger ledger_entry_purge_guard before update on ledger_entry
    for each row execute function guard_payload_purge();

-- Purges the payloads of archived, unheld entries received before the cut-off, within a seq range (the caller
-- passes the lowest SIEM cursor as the upper bound, so nothing is purged before it was forwarded). The SHARE lock
-- on legal_hold waits for holds being placed, so a hold committed before the purge always wins.
create function purge_ledger_payloads(received_before timestamptz, from_seq bigint, to_seq bigint, max_rows integer)
    returns bigint language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    purged bigint;
begin
    lock table legal_hold in share mode;
    perform set_config('flagledger.payload_purge', 'on', true);
    update ledger_entry e set canonical_json = null
    where e.seq in (select x.seq from ledger_entry x
                    where x.canonical_json is not null and x.received_at < received_before
                      and x.seq between from_seq and to_seq
                      and exists (select 1 from archive_segment a where x.seq between a.first_seq and a.last_seq)
                      and not ledger_entry_held(x)
                    order by x.seq limit max_rows);
    get diagnostics purged = row_count;
    perform set_config('flagledger.payload_purge', 'off', true);
    return purged;
end
$$;
revoke all on function purge_ledger_payloads(timestamptz, bigint, bigint, integer) from public;

-- Signed daily digests written to the archive: the day's last checkpoint plus counts per source service.
create table daily_digest (
    day             date          primary key,
    checkpoint_size bigint        not null references checkpoint (tree_size),
    counts          jsonb         not null,
    note            text          not null,
    store           varchar(16)   not null,
    object_key      varchar(1024) not null,
    sha256          bytea         not null,
    created_at      timestamptz   not null
);
create trigger daily_digest_append_only before update or delete or truncate on daily_digest
    for each statement execute function refuse_ledger_change();

-- SIEM forwarding: one cursor per sink (the last seq it acknowledged) and the records a sink refused for good.
create table siem_cursor (
    sink        varchar(64) primary key,
    last_seq    bigint      not null,
    updated_at  timestamptz not null
);

create table siem_dead_letter (
    id          bigserial     primary key,
    sink        varchar(64)   not null,
    seq         bigint        not null,
    event_id    uuid,
    reason      varchar(2000) not null,
    attempts    integer       not null,
    recorded_at timestamptz   not null,
    constraint siem_dead_letter_once unique (sink, seq)
);
create trigger siem_dead_letter_append_only before update or delete or truncate on siem_dead_letter
    for each statement execute function refuse_ledger_change();
