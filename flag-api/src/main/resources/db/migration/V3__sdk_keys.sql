-- SDK keys authenticate evaluation calls for one environment. Only a SHA-256 of the key is stored.
create table sdk_key (
    id          uuid primary key,
    project     varchar(128) not null,
    environment varchar(64)  not null,
    kind        varchar(16)  not null,
    key_hash    char(64)     not null unique,
    key_prefix  varchar(16)  not null,
    created_at  timestamptz  not null,
    created_by  varchar(256) not null,
    revoked_at  timestamptz
);
create index sdk_key_scope on sdk_key (project, environment);
