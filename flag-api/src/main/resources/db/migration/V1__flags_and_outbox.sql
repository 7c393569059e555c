create table flag (
    id          uuid primary key,
    project     varchar(128)  not null,
    flag_key    varchar(128)  not null,
    name        varchar(200)  not null,
    description varchar(2000),
    created_at  timestamptz   not null,
    created_by  varchar(256)  not null,
    constraint flag_project_key_unique unique (project, flag_key)
);

create table flag_environment (
    id          uuid primary key,
    flag_id     uuid         not null references flag (id),
    environment varchar(64)  not null,
    enabled     boolean      not null,
    version     bigint       not null,
    updated_at  timestamptz  not null,
    constraint flag_environment_unique unique (flag_id, environment)
);

-- Transactional outbox: written in the same transaction as the state change, relayed to Kafka afterwards.
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
