-- One row per (rule, suspect): redelivered Kafka records and several replicas polling the same signal
-- find the row already there and do not act twice.
create table detection (
    id               bigserial primary key,
    rule             varchar(64)   not null,
    suspect          varchar(300)  not null,
    project          varchar(128),
    flag_key         varchar(128),
    environment      varchar(64),
    severity         varchar(8)    not null,
    mode             varchar(16)   not null,
    correlation_id   varchar(256),
    detected_at      timestamptz   not null,
    constraint detection_once unique (rule, suspect)
);

-- Every revert decision, so "at most one revert per flag and environment per window" survives restarts.
create table revert_attempt (
    id               bigserial primary key,
    detection_id     bigint        not null references detection (id),
    project          varchar(128)  not null,
    flag_key         varchar(128)  not null,
    environment      varchar(64)   not null,
    suspect_event_id varchar(64)   not null,
    outcome          varchar(32)   not null,
    detail           varchar(2000),
    attempted_at     timestamptz   not null
);

create index revert_attempt_recent on revert_attempt (project, flag_key, environment, attempted_at);

-- Approved change requests seen on approval.events (rule 6).
create table approved_change_request (
    change_request_id varchar(128) primary key,
    project           varchar(128),
    flag_key          varchar(128),
    environment       varchar(64),
    approved_at       timestamptz  not null
);

-- What the stale-flag rule needs to know about each flag, kept from flag.changes.
create table flag_meta (
    project     varchar(128) not null,
    flag_key    varchar(128) not null,
    owner       varchar(256),
    expires_at  timestamptz,
    primary key (project, flag_key)
);

create table flag_state (
    project                 varchar(128) not null,
    flag_key                varchar(128) not null,
    environment             varchar(64)  not null,
    fully_rolled_out_since  timestamptz,
    primary key (project, flag_key, environment)
);

-- Transactional outbox for monitor.actions, written in the same transaction as the detection or revert row.
create table outbox_event (
    id           bigserial primary key,
    event_id     uuid          not null unique,
    topic        varchar(200)  not null,
    message_key  varchar(300)  not null,
    payload      text          not null,
    created_at   timestamptz   not null,
    published_at timestamptz
);

create index outbox_event_pending on outbox_event (id) where published_at is null;
