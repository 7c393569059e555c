package io.flagledger.flagapi.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to Kafka in order and marks them published only after the broker
 * acknowledged them. A broker outage rolls the batch back; the next run starts again where it stopped.
 * Delivery is at-least-once: consumers deduplicate on the event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    // SKIP LOCKED lets several replicas relay concurrently without publishing the same row twice at once.
    private static final String PENDING = "select * from outbox_event where published_at is null "
            + "order by id limit :limit for update skip locked";

    @Inject
    @Channel("flag-changes")
    MutinyEmitter<String> emitter;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "flagledger.outbox.batch-size", defaultValue = "100")
    int batchSize;

    @Scheduled(every = "${flagledger.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayScheduled() {
        return relay().onFailure().invoke(e -> LOG.warnf("Outbox relay paused: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @WithTransaction
    public Uni<Integer> relay() {
        return OutboxEvent.getSession()
                .chain(session -> session.createNativeQuery(PENDING, OutboxEvent.class)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(this::publishInOrder);
    }

    private Uni<Integer> publishInOrder(List<OutboxEvent> rows) {
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> emitter.sendMessage(toMessage(row))
                        .invoke(() -> {
                            row.publishedAt = Instant.now();
                            registry.counter("flagledger.outbox.published").increment();
                        }))
                .collect().asList()
                .map(List::size);
    }

    private static Message<String> toMessage(OutboxEvent row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("event-id", row.eventId.toString().getBytes(StandardCharsets.UTF_8));
        return Message.of(row.payload).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.topic)
                .withKey(row.messageKey)
                .withHeaders(headers)
                .build());
    }
}
