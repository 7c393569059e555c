-- Events audit-service records itself (exports, audited reads, the alerts it raises) arrive through no Kafka
-- topic: their source_topic is '(local)', a name no Kafka topic can have, and they have no partition or offset.
alter table ledger_entry alter column source_partition drop not null;
alter table ledger_entry alter column source_offset drop not null;

-- Query filters, newest first: source service, actor type, channel (inside the signed request metadata), time.
create index ledger_entry_source on ledger_entry (source_service, seq desc);
create index ledger_entry_actor_type on ledger_entry (actor_type, seq desc);
create index ledger_entry_channel on ledger_entry (((canonical_json::jsonb) #>> '{request,channel}'), seq desc);
create index ledger_entry_occurred_seq on ledger_entry (occurred_at, seq desc);
