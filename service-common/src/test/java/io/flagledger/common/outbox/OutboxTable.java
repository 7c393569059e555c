package io.flagledger.common.outbox;

import io.vertx.mutiny.sqlclient.Pool;
import java.time.Duration;

/** The {@code outbox_event} table as every service's Flyway migrations leave it (V1 and the parking migration). */
final class OutboxTable {

    private OutboxTable() {
    }

    static void create(Pool pool, Duration timeout) {
        pool.query("""
                create table if not exists outbox_event (
                    id           bigserial primary key,
                    event_id     uuid          not null unique,
                    topic        varchar(200)  not null,
                    message_key  varchar(300)  not null,
                    payload      text          not null,
                    created_at   timestamptz   not null,
                    published_at timestamptz,
                    parked_at    timestamptz,
                    park_reason  text
                )""").execute().await().atMost(timeout);
        pool.query("create index if not exists outbox_event_pending on outbox_event (id) "
                + "where published_at is null and parked_at is null").execute().await().atMost(timeout);
    }
}
