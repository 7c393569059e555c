package io.flagledger.approval.outbox;

import io.flagledger.approval.db.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to Kafka in order and marks them published only after the broker acknowledged
 * them. A broker outage rolls the batch back; the next run starts where it stopped. Delivery is at least once:
 * audit-service stores each event id once.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    // SKIP LOCKED lets several replicas relay at once without publishing the same row twice at the same time.
    private static final String PENDING = "select id, event_id, topic, message_key, payload from outbox_event "
            + "where published_at is null order by id limit $1 for update skip locked";

    @Inject
    Db db;

    @Inject
    @Channel("approval-events")
    MutinyEmitter<String> emitter;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "flagledger.outbox.batch-size", defaultValue = "100")
    int batchSize;

    @Scheduled(every = "${flagledger.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relayScheduled() {
        try {
            relay();
        } catch (RuntimeException e) {
            LOG.warnf("Outbox relay paused: %s", e.getMessage());
        }
    }

    public int relay() {
        return db.transaction(tx -> {
            int sent = 0;
            for (Row row : tx.query(PENDING, batchSize)) {
                emitter.sendMessage(toMessage(row)).await().atMost(Duration.ofSeconds(20));
                tx.query("update outbox_event set published_at = $1 where id = $2", Instant.now(), row.getLong("id"));
                registry.counter("flagledger.outbox.published").increment();
                sent++;
            }
            return sent;
        });
    }

    private static Message<String> toMessage(Row row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("event-id", row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
        return Message.of(row.getString("payload")).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.getString("topic"))
                .withKey(row.getString("message_key"))
                .withHeaders(headers)
                .build());
    }
}
