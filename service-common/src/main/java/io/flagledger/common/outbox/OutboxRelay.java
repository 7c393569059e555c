package io.flagledger.common.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to Kafka in order and marks them published only after the broker acknowledged
 * them. Any failure rolls the whole batch back; the next run starts again where it stopped. Delivery is at least
 * once: audit-service stores each event id once, other consumers deduplicate on the {@code event-id} header.
 * <p>
 * Each row carries its own topic and key; the records go out on the outgoing channel {@value #CHANNEL}, which the
 * service maps to its Kafka connector ({@code mp.messaging.outgoing.outbox.*}: serializers, {@code acks=all},
 * idempotence, the send time-outs that bound a broker outage). The relay exists in a service only when its
 * build sets {@code flagledger.outbox.enabled=true} (a build-time property): services without an outbox table,
 * such as audit-service, get neither the bean nor the channel.
 * <p>
 * Configuration: {@code flagledger.outbox.poll-interval} (how often it runs), {@code flagledger.outbox.batch-size}
 * (rows per run, default 100). Metrics: {@code flagledger.outbox.published} (counter) and
 * {@code flagledger.outbox.pending.events} (gauge: rows not yet acknowledged by Kafka, counted after every run, also
 * a failed one, so a broker outage shows as a growing backlog; the Helm chart alerts on it).
 */
@ApplicationScoped
@IfBuildProperty(name = OutboxRelay.ENABLED, stringValue = "true")
public class OutboxRelay {

    /** Build-time switch, set in the application.properties of each service that has an outbox. */
    public static final String ENABLED = "flagledger.outbox.enabled";
    /** The outgoing channel the relay sends on. */
    public static final String CHANNEL = "outbox";
    public static final String EVENT_ID_HEADER = "event-id";
    public static final String PUBLISHED_METRIC = "flagledger.outbox.published";
    public static final String PENDING_METRIC = "flagledger.outbox.pending.events";

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    // SKIP LOCKED lets several replicas relay at once without publishing the same row twice at the same time.
    static final String PENDING = "select id, event_id, topic, message_key, payload from outbox_event "
            + "where published_at is null order by id limit $1 for update skip locked";
    static final String MARK_PUBLISHED = "update outbox_event set published_at = $1 where id = $2";
    // Served by the partial index on id where published_at is null, so it stays cheap however large the store grows.
    static final String COUNT_PENDING = "select count(*) from outbox_event where published_at is null";

    // Bounds a send the connector never answers (its own delivery.timeout.ms normally fails it first), so a hung
    // batch does not hold its row locks for ever.
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<String> emitter;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "flagledger.outbox.batch-size", defaultValue = "100")
    int batchSize;

    private Counter published;
    private final AtomicLong pending = new AtomicLong();

    @PostConstruct
    void init() {
        published = registry.counter(PUBLISHED_METRIC);
        registry.gauge(PENDING_METRIC, pending);
    }

    @Scheduled(every = "${flagledger.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayScheduled() {
        return relay().onFailure().invoke(e -> LOG.warnf("Outbox relay paused: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(this::countPending)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Refreshes the backlog gauge. */
    public Uni<Long> countPending() {
        return pool.query(COUNT_PENDING).execute().map(rows -> {
            long count = rows.iterator().next().getLong(0);
            pending.set(count);
            return count;
        });
    }

    /**
     * One run: locks up to {@code batch-size} pending rows in id order, sends them one after the other (each
     * waits for the previous one's acknowledgement), marks each published once acknowledged and commits. A
     * failure fails the returned Uni and rolls the transaction back, so no row of the batch is marked published.
     *
     * @return how many rows were published
     */
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
                        .ifNoItem().after(SEND_TIMEOUT).fail()
                        .chain(() -> tx.preparedQuery(MARK_PUBLISHED)
                                .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC), row.getLong("id"))))
                        .invoke(() -> published.increment()))
                .collect().asList()
                .map(List::size);
    }

    private static Message<String> toMessage(Row row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EVENT_ID_HEADER, row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
        return Message.of(row.getString("payload")).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.getString("topic"))
                .withKey(row.getString("message_key"))
                .withHeaders(headers)
                .build());
    }
}
