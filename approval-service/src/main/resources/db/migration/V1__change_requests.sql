-- A change request carries its own copy of the policy it was filed under, so later policy edits
-- never change the rules of a request already in flight.
create table change_request (
    id                   uuid primary key,
    project              varchar(128)  not null,
    flag_key             varchar(128)  not null,
    environment          varchar(64)   not null,
    base_version         bigint        not null,
    previous_config      text          not null,
    proposed_config      text          not null,
    change_sha256        char(64)      not null,
    risk                 varchar(32),
    reason               varchar(2000) not null,
    correlation_id       varchar(200)  not null,
    requester_id         varchar(256)  not null,
    requester_name       varchar(256),
    state                varchar(16)   not null,
    -- bumped whenever the proposal is edited; approvals count only for the revision they saw
    revision             int           not null,
    policy_name          varchar(128)  not null,
    required_approvals   int           not null,
    required_roles       varchar(1000) not null,
    approval_validity_s  bigint,
    apply_window         varchar(200),
    auto_apply           boolean       not null,
    apply_requested      boolean       not null default false,
    apply_attempts       int           not null default 0,
    next_apply_at        timestamptz,
    last_apply_error     varchar(2000),
    applied_version      bigint,
    created_at           timestamptz   not null,
    updated_at           timestamptz   not null
);

create index change_request_state on change_request (state, next_apply_at);
create index change_request_flag on change_request (project, flag_key, environment);
create index change_request_requester on change_request (requester_id);

create table decision (
    id                 bigserial primary key,
    change_request_id  uuid          not null references change_request (id),
    revision           int           not null,
    approver_id        varchar(256)  not null,
    approver_name      varchar(256),
    approver_roles     varchar(1000) not null,
    decision           varchar(16)   not null,
    comment            varchar(2000),
    decided_at         timestamptz   not null,
    -- one person decides once per revision, whatever roles they hold
    constraint decision_once unique (change_request_id, revision, approver_id)
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

-- Webhook deliveries for chat tools, also written in the state change's transaction.
create table notification (
    id              bigserial primary key,
    payload         text         not null,
    created_at      timestamptz  not null,
    attempts        int          not null default 0,
    next_attempt_at timestamptz  not null,
    delivered_at    timestamptz,
    last_error      varchar(1000)
);
create index notification_pending on notification (next_attempt_at) where delivered_at is null;
