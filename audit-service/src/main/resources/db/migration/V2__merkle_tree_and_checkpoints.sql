-- Perfect subtree roots of the RFC 6962 tree over ledger_entry (leaf index = seq - 1). Level 0 is
-- ledger_entry.leaf_hash; this table holds levels >= 1, written in the append transaction, so any proof or
-- root reads O(log n) rows. Rows are never changed: a subtree, once complete, never changes.
create table merkle_node (
    level  integer not null,
    idx    bigint  not null,
    hash   bytea   not null,
    primary key (level, idx),
    constraint merkle_node_level check (level between 1 and 62),
    constraint merkle_node_idx check (idx >= 0),
    constraint merkle_node_hash check (octet_length(hash) = 32)
);

-- Signed C2SP checkpoints (tlog-checkpoint in a signed note), at most one per tree size.
create table checkpoint (
    tree_size  bigint       primary key,
    root_hash  bytea        not null,
    origin     varchar(255) not null,
    key_name   varchar(255) not null,
    note       text         not null,
    signed_at  timestamptz  not null,
    constraint checkpoint_root_hash check (octet_length(root_hash) = 32),
    constraint checkpoint_tree_size check (tree_size >= 0)
);

create trigger merkle_node_append_only before update or delete or truncate on merkle_node
    for each statement execute function refuse_ledger_change();
create trigger checkpoint_append_only before update or delete or truncate on checkpoint
    for each statement execute function refuse_ledger_change();

-- Computes every missing node from the leaves, level by level. Used once below for ledgers that predate
-- this migration, and by bulk loads (benchmarks) that insert leaves without the service.
create function merkle_backfill() returns void language plpgsql as $$
declare
    lvl integer := 1;
begin
    insert into merkle_node (level, idx, hash)
    select 1, (l.seq - 1) / 2, sha256('\x01'::bytea || l.leaf_hash || r.leaf_hash)
    from ledger_entry l join ledger_entry r on r.seq = l.seq + 1
    where l.seq % 2 = 1
    on conflict do nothing;
    loop
        insert into merkle_node (level, idx, hash)
        select lvl + 1, l.idx / 2, sha256('\x01'::bytea || l.hash || r.hash)
        from merkle_node l join merkle_node r on r.level = l.level and r.idx = l.idx + 1
        where l.level = lvl and l.idx % 2 = 0
        on conflict do nothing;
        exit when not exists (select 1 from merkle_node where level = lvl + 1);
        lvl := lvl + 1;
    end loop;
end
$$;

select merkle_backfill();
