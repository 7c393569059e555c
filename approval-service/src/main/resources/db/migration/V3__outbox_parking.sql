-- Parking (service-common OutboxRelay): a row that can never be sent (oversized, unparseable, refused by the event
-- contract or by Kafka for the record itself) is marked here instead of blocking every later row. The row and its
-- payload stay; a signed outbox.event_parked security event records the gap in the ledger.
alter table outbox_event add column parked_at timestamptz;
alter table outbox_event add column park_reason text;

-- The relay's pending query and backlog count read only rows that are neither published nor parked.
drop index outbox_event_pending;
create index outbox_event_pending on outbox_event (id) where published_at is null and parked_at is null;
-- Parked rows are few and looked up by operators (and the re-queue procedure in docs/outbox.md).
create index outbox_event_parked on outbox_event (id) where parked_at is not null;
