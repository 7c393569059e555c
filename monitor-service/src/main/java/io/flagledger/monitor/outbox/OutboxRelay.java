package io.flagledger.monitor.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to monitor.actions in order and marks them published only after Kafka
 * acknowledged them; a failure rolls the batch back and the next run resumes. At least once: audit-service
 * deduplicates on the event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    // SKIP LOCKED lets several replicas relay concurrently without publishing the same row twice at once.
    private static final String PENDING = "select id, event_id, topic, message_key, payload from outbox_event "
            + "where published_at is null order by id limit $1 for update skip locked";

    @Inject
    @Channel("monitor-actions")
    MutinyEmitter<String> emitter;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "flagledger.outbox.batch-size", defaultValue = "100")
    int batchSize;

    @Scheduled(every = "${flagledger.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayScheduled() {
        return relay().onFailure().invoke(e -> LOG.warnf("Outbox relay paused: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public Uni<Integer> relay() {
        return pool.withTransaction(tx -> tx.preparedQuery(PENDING).execute(Tuple.of(batchSize))
                .chain(rows -> {
                    List<Row> pending = new ArrayList<>();
                    rows.forEach(pending::add);
                    return publishInOrder(tx, pending);
                }));
    }

    private Uni<Integer> publishInOrder(SqlConnection tx, List<Row> rows) {
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> emitter.sendMessage(toMessage(row))
                        .chain(() -> tx.preparedQuery("update outbox_event set published_at = now() where id = $1")
                                .execute(Tuple.of(row.getLong("id"))))
                        .invoke(() -> registry.counter("flagledger.outbox.published").increment()))
                .collect().asList()
                .map(List::size);
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
