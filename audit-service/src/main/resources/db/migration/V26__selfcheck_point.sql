-- Where the ledger self-check may resume (issue #13): one row per healthy run, the tree size it verified completely,
-- the root it recomputed and the compact range (the perfect subtree roots of event-contract merkle.CompactRange,
-- largest first, 32 bytes each, concatenated) it reached. The next incremental run proves this starting point
-- against the stored tree nodes and the latest signed checkpoint at or below it before it trusts it, and verifies
-- only the entries after it. full_scan marks runs that walked the whole ledger (the full-scan interval counts from
-- the latest one). Append-only like the ledger; the writer role may insert (V4's default privileges).
create table selfcheck_point (
    id            bigserial    primary key,
    tree_size     bigint       not null,
    root_hash     bytea        not null,
    compact_range bytea        not null,
    full_scan     boolean      not null,
    verified_at   timestamptz  not null,
    constraint selfcheck_point_tree_size check (tree_size >= 0),
    constraint selfcheck_point_root_hash check (octet_length(root_hash) = 32),
    constraint selfcheck_point_compact_range check (octet_length(compact_range) % 32 = 0)
);
create index selfcheck_point_full on selfcheck_point (verified_at) where full_scan;
create trigger selfcheck_point_append_only before update or delete or truncate on selfcheck_point
    for each statement execute function refuse_ledger_change();
