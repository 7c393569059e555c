-- Records on flag.changes and approval.events that failed verification (not a contract event, unknown key, bad
-- signature, key not bound to the source service, service not a producer of the topic). Never acted upon. One row
-- per Kafka position, written with the security.events alert's outbox row, so a redelivered record alerts once.
-- The payload is not kept (audit-service quarantines the bytes); its SHA-256 links the two.
create table rejected_event (
    id               bigserial primary key,
    topic            varchar(249)  not null,
    kafka_partition  integer       not null,
    kafka_offset     bigint        not null,
    event_id         varchar(64),
    reason           varchar(64)   not null,
    detail           varchar(2000),
    payload_sha256   char(64)      not null,
    rejected_at      timestamptz   not null,
    constraint rejected_event_once unique (topic, kafka_partition, kafka_offset)
);
