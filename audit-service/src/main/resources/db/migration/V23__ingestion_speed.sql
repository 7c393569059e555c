-- Ingestion speed (issue 13). The channel filter read (canonical_json::jsonb) #>> '{request,channel}' through an
-- expression index, so PostgreSQL parsed every payload a second time on insert. A plain column, written by the
-- ledger from the signed event (EntryColumns) and compared with it by the self-check like the other query
-- columns, serves the same filter.
alter table ledger_entry add column channel varchar(16);

-- Backfill the rows written before. The append-only triggers refuse any UPDATE, so the owner (the migration role)
-- disables them for this statement only; ALTER TABLE holds an exclusive lock on ledger_entry until the migration
-- commits, so no other session ever writes while they are off. Purged rows (no payload) keep NULL, as the
-- expression gave them.
alter table ledger_entry disable trigger ledger_entry_append_only;
alter table ledger_entry disable trigger ledger_entry_purge_guard;
update ledger_entry set channel = (canonical_json::jsonb) #>> '{request,channel}'
where canonical_json is not null and strpos(canonical_json, '"channel"') > 0;
alter table ledger_entry enable trigger ledger_entry_append_only;
alter table ledger_entry enable trigger ledger_entry_purge_guard;

drop index ledger_entry_channel;
create index ledger_entry_channel on ledger_entry (channel, seq desc);
-- ledger_entry_occurred_seq (occurred_at, seq desc) serves every lookup this one did.
drop index ledger_entry_occurred;
