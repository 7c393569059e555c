-- The change history the rules look back on (rapid toggling, mass rollout, the error-spike suspect), one row per
-- accepted flag.changes event, written by the consumer before the rules run and before the offset is committed.
-- Reloaded at start-up for the retention window (flagledger.monitor.history-retention), so a restart a few minutes
-- after a bad change does not forget the suspect; older rows are pruned periodically. A redelivered event finds its
-- row already there (event_id unique). id keeps the order the consumer saw the events in.
create table flag_change (
    id              bigserial    primary key,
    event_id        text         not null unique,
    correlation_id  text,
    occurred_at     timestamptz  not null,
    action          text         not null,
    project         text,
    flag_key        text,
    environment     text,
    actor_id        text,
    actor_type      varchar(16),
    actor_name      text,
    actor_roles     text[],
    channel         varchar(16),
    previous_state  text,
    new_state       text,
    scope           text,
    reason          text,
    recorded_at     timestamptz  not null
);

create index flag_change_occurred on flag_change (occurred_at);
