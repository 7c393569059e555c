-- Tree nodes in the entries that complete them (issue 13). The leaf at index i = seq - 1 completes the perfect
-- subtrees (l, i >> l) for l = 1..t, t = the number of trailing one bits of i; nodes holds their 32-byte hashes in
-- level order (NULL when t = 0, i.e. odd seq). Node (l, j) is thus bytes (l-1)*32+1..l*32 of the entry with
-- seq = (j+1) * 2^l: a read is a primary-key probe of ledger_entry, and an append writes one row per event instead
-- of two (merkle_node's row and its index entry were a large part of PostgreSQL's work per append).
alter table ledger_entry add column nodes bytea;

-- Existing ledgers: the stored nodes move as they are (a recomputation would quietly repair an edited tree the
-- self-check must report). The append-only triggers refuse any UPDATE, so the owner (the migration role) disables
-- them for this statement only; ALTER TABLE holds an exclusive lock on ledger_entry until the migration commits,
-- so no other session writes while they are off.
alter table ledger_entry disable trigger ledger_entry_append_only;
alter table ledger_entry disable trigger ledger_entry_purge_guard;
update ledger_entry e set nodes = m.nodes
from (select (idx + 1) << level as seq, string_agg(hash, ''::bytea order by level) as nodes
      from merkle_node group by 1) m
where e.seq = m.seq;
alter table ledger_entry enable trigger ledger_entry_append_only;
alter table ledger_entry enable trigger ledger_entry_purge_guard;

-- seq & -seq = 2^t: exactly the nodes the entry completes, no more, no less (a missing node fails the migration
-- instead of surfacing later as a broken proof). The upper bound keeps the shift below 64 bits.
alter table ledger_entry add constraint ledger_entry_nodes check (case when nodes is null then seq % 2 = 1
    else octet_length(nodes) % 32 = 0 and octet_length(nodes) between 32 and 62 * 32
        and (1::bigint << (octet_length(nodes) / 32)) = (seq & -seq) end);

-- The purge guard (V20) already refuses any change but the payload's: it compares the whole row but canonical_json,
-- nodes included. Dropping the table drops its trigger and the writer role's grants on it.
drop function merkle_backfill();
drop table merkle_node;

-- A rolling upgrade runs the previous release's audit-service beside this schema for a while. Its appends insert
-- entries without nodes and read and write merkle_node. They must fail the way it retries (42501 is transient in
-- its failure table: it backs off and reports itself stalled until it is replaced), never the way it quarantines
-- events for (a constraint violation, an unknown table), and never commit. So: an entry insert that leaves nodes
-- out gets this default, and merkle_node becomes a view that raises it when written and, when read, raises it or
-- finds no node (so that release's tree check fails and it takes its path through the entry insert). Current code
-- always names nodes (NULL where the entry completes none). The release after this one drops the shim.
create function ledger_refuse_outdated_writer() returns bytea language plpgsql volatile as $$
begin
    raise exception using errcode = '42501',
        message = 'the ledger keeps its tree in ledger_entry.nodes (schema V28): an audit-service older than that '
            || 'may not read or write it, and retries until it is replaced';
end
$$;
alter table ledger_entry alter column nodes set default ledger_refuse_outdated_writer();
create view merkle_node as
    select v.level, v.idx, v.hash from (values (1, 0::bigint, null::bytea)) as v(level, idx, hash)
    where ledger_refuse_outdated_writer() is not null;
create function ledger_refuse_outdated_node_write() returns trigger language plpgsql as $$
begin
    perform ledger_refuse_outdated_writer();
    return null;
end
$$;
create trigger merkle_node_outdated_writer instead of insert or update or delete on merkle_node
    for each row execute function ledger_refuse_outdated_node_write();
