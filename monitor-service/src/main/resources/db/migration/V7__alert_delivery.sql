-- Durable alert delivery (outbox-style). An alert is written in the transaction that records its detection (or the
-- revert that settles it), so it exists if and only if the detection does; AlertRelay delivers it afterwards with
-- retries and backoff, and a restart finds every undelivered alert here.
--
-- alert: one row per Alertmanager label set. fingerprint is the SHA-256 of the sorted labels, the deduplication key:
-- the same label set is never queued twice, and receivers (Alertmanager, webhook consumers) deduplicate redelivery
-- on it. document holds labels, annotations and details as JSON; each receiver's body is rendered from it at send
-- time, so a revert that settles before the first attempt changes what is sent. ends_at is when the condition
-- cleared (resolved_at set) or, for an alert about a single change, when it is considered over.
create table alert (
    id             bigserial     primary key,
    fingerprint    char(64)      not null unique,
    detection_id   bigint        references detection (id),
    rule           varchar(64)   not null,
    project        varchar(128),
    flag_key       varchar(128),
    environment    varchar(64),
    -- what clears it: 'error-rate' (the application's error rate back under the threshold), 'not-stale' (the flag is
    -- no longer a stale candidate) or 'event' (a single change: ends_at is set when it is queued)
    clears_on      varchar(16)   not null,
    document       text          not null,
    starts_at      timestamptz   not null,
    ends_at        timestamptz,
    resolved_at    timestamptz
);

create index alert_open on alert (clears_on) where resolved_at is null and clears_on <> 'event';

-- One delivery per alert, receiver and kind ('firing', 'resolved'): the unique constraint is what makes a retried
-- enqueue harmless. A delivery is due at next_attempt_at; a claim pushes next_attempt_at past the send time-out, so a
-- replica that dies mid-send leaves the row to be retried, never lost. Dead letters keep their row (dead_at,
-- last_error) for operators; docs/monitoring-alerts.md has the re-queue statement.
create table alert_delivery (
    id               bigserial     primary key,
    alert_id         bigint        not null references alert (id),
    receiver         varchar(64)   not null,
    kind             varchar(16)   not null,
    created_at       timestamptz   not null,
    next_attempt_at  timestamptz   not null,
    attempts         integer       not null default 0,
    delivered_at     timestamptz,
    dead_at          timestamptz,
    last_error       varchar(2000),
    constraint alert_delivery_once unique (alert_id, receiver, kind)
);

create index alert_delivery_due on alert_delivery (next_attempt_at) where delivered_at is null and dead_at is null;
create index alert_delivery_dead on alert_delivery (id) where dead_at is not null;

-- The flag's risk, for alerts (owner and expiry are already here); kept from flag.created and flag.metadata.updated.
alter table flag_meta add column risk varchar(32);
