-- Reusable audiences per project and environment; flags reference them with the segmentMatch operator.
create table segment (
    id          uuid primary key,
    project     varchar(128)  not null,
    environment varchar(64)   not null,
    segment_key varchar(128)  not null,
    definition  text          not null,
    version     bigint        not null,
    updated_at  timestamptz   not null,
    constraint segment_unique unique (project, environment, segment_key)
);

-- Evaluations are counted in memory and flushed here periodically, for the stale-flag report.
create table flag_evaluation_stats (
    project            varchar(128) not null,
    environment        varchar(64)  not null,
    flag_key           varchar(128) not null,
    evaluations        bigint       not null,
    last_evaluated_at  timestamptz  not null,
    primary key (project, environment, flag_key)
);

-- A flag's history is read by its message key.
create index outbox_event_by_key on outbox_event (message_key, id);
