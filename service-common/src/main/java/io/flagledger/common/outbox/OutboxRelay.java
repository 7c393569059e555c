package io.flagledger.common.outbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.retry.Backoff;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSignature;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.InvalidEventException;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.flagledger.contract.SignatureVerificationException;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes pending outbox rows to Kafka in order and marks them published only after the broker acknowledged
 * them. Delivery is at least once: audit-service stores each event id once, other consumers deduplicate on the
 * {@code event-id} header.
 * <p>
 * <b>No row blocks the relay.</b> A row that can never be sent is <i>parked</i> ({@code parked_at},
 * {@code park_reason}) and the relay goes on with the next rows. Never sendable means a deterministic reason: its
 * payload no longer parses as an event or breaks the event contract (including {@link EventValidator#MAX_EVENT_BYTES}),
 * or Kafka refused the record itself (see {@link #parks(Throwable)}: {@code RecordTooLargeException},
 * {@code InvalidRecordException}, an invalid topic name, a serialization error, any other non-retriable
 * {@link ApiException}). Each park is counted ({@value #PARKED_METRIC}), logged once without the payload and, when
 * the service has a security topic ({@code flagledger.topics.security-events}), recorded in the ledger by a signed
 * {@value #PARKED_ACTION} event written to this outbox in the same transaction (event id, topic, key, size, SHA-256
 * of the payload, reason): the gap is explicit and alerted once, because a parked row is never selected again.
 * <p>
 * <b>Transient failures lose nothing.</b> A broker that is down or slow, a {@link RetriableException}, a time-out,
 * and errors that concern the producer or the cluster rather than the row (authentication, authorization, a fenced
 * producer, {@code UnknownServerException}) fail the run: its transaction rolls back, so no row of the batch is
 * marked published or parked, and a later run starts again from the first pending row. The scheduled runs back off
 * ({@link Backoff}, from the poll interval up to {@code flagledger.outbox.max-backoff}) while failures repeat.
 * <p>
 * <b>Ordering when a row is parked.</b> Events sharing a key (a flag, a segment) are published in append order, and
 * a parked row does not hold back later rows of its key: the ledger records the later changes, and the
 * {@value #PARKED_ACTION} event records that one event of that key is missing, with its id and hash. Stopping the
 * key instead would let one unsendable event silence a flag's audit trail for good, which is what parking exists to
 * prevent. The row stays in the table (flag-api's history reads it from there), so an operator can fix and re-queue
 * it ({@code update outbox_event set parked_at = null, park_reason = null where id = ...}); it is then published
 * after the later events of its key, and consumers order by the event's own timestamp, not by arrival.
 * <p>
 * <b>Batch signatures.</b> With {@code flagledger.outbox.signature=batch} (the default) the rows a run sends are signed
 * together with one Ed25519 signature (schema version 2, {@link EventSigner#signBatch}): each event carries its index
 * and inclusion path and verifies on its own, while consumers check one signature per batch. Rows are written
 * version 1 signed (an event is valid from the moment its change commits); the relay signs the batch after the
 * contract check, sends the version 2 payloads and stores each one in its row when marking it published, so the
 * outbox shows what the ledger holds. A row parked on send keeps its version 1 payload and takes nothing from the
 * others: every sent event is verifiable without it. Only rows whose stored signature verifies with the relay's
 * own key are signed again, so a row written into the table by anyone else is sent as it is (and refused by
 * consumers) rather than given a valid signature; likewise a row whose version 2 form would break the contract
 * (a few hundred bytes more, over {@link EventValidator#MAX_EVENT_BYTES}) is sent as stored. A run that rolls back
 * after some sends signs those rows again in a later run: the duplicates carry another batch signature over the same
 * content, and audit-service keeps the first by event id. {@code flagledger.outbox.signature=event} sends the stored
 * payloads unchanged (one signature per event, version 1).
 * <p>
 * Each row carries its own topic and key; the records go out on the outgoing channel {@value #CHANNEL}, which the
 * service maps to its Kafka connector ({@code mp.messaging.outgoing.outbox.*}: serializers, {@code acks=all},
 * idempotence, the send time-outs that bound a broker outage). The relay exists in a service only when its
 * build sets {@code flagledger.outbox.enabled=true} (a build-time property): services without an outbox table,
 * such as audit-service, get neither the bean nor the channel.
 * <p>
 * Configuration: {@code flagledger.outbox.poll-interval} (how often it runs), {@code flagledger.outbox.batch-size}
 * (rows per run, default 100, also the largest signed batch), {@code flagledger.outbox.max-backoff} (default 10s),
 * {@code flagledger.outbox.signature} ({@code batch} or {@code event}, default batch). Metrics:
 * {@value #PUBLISHED_METRIC} and {@value #PARKED_METRIC} (counters) and {@value #PENDING_METRIC} (gauge: rows
 * neither acknowledged by Kafka nor parked, counted after every run, also a failed one, so a broker outage shows as
 * a growing backlog). The Helm chart alerts on the backlog and on any park.
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
    public static final String PARKED_METRIC = "flagledger.outbox.parked";
    public static final String PENDING_METRIC = "flagledger.outbox.pending.events";
    /** The action of the security event that records a parked row. */
    public static final String PARKED_ACTION = "outbox.event_parked";

    /** How the relay signs what it sends: {@code flagledger.outbox.signature}. */
    public enum Signature {
        /** One signature per run's rows (schema version 2). */
        BATCH,
        /** The rows' own signatures (schema version 1), payloads sent as stored. */
        EVENT
    }

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    // SKIP LOCKED lets several replicas relay at once without publishing the same row twice at the same time.
    // Served, like COUNT_PENDING, by the partial index on id where published_at is null and parked_at is null.
    static final String PENDING = "select id, event_id, topic, message_key, payload from outbox_event "
            + "where published_at is null and parked_at is null order by id limit $1 for update skip locked";
    static final String MARK_PUBLISHED = "update outbox_event set published_at = $1 where id = $2";
    // The batch-signed payload replaces the stored one: the outbox (flag-api's history) shows what the ledger holds.
    static final String MARK_PUBLISHED_AS = "update outbox_event set published_at = $1, payload = $2 where id = $3";
    static final String PARK = "update outbox_event set parked_at = $1, park_reason = $2 where id = $3";
    static final String COUNT_PENDING = "select count(*) from outbox_event where published_at is null and parked_at is null";

    // Bounds a send the connector never answers (its own delivery.timeout.ms normally fails it first), so a hung
    // batch does not hold its row locks for ever.
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);
    // Enough to name the cause; Kafka's messages are short, a contract violation list is bounded by the validator.
    private static final int MAX_REASON_CHARS = 1000;

    @Inject
    @org.eclipse.microprofile.reactive.messaging.Channel(CHANNEL)
    MutinyEmitter<String> emitter;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.outbox.batch-size", defaultValue = "100")
    int batchSize;

    @ConfigProperty(name = "flagledger.outbox.poll-interval")
    Duration pollInterval;

    @ConfigProperty(name = "flagledger.outbox.max-backoff", defaultValue = "10s")
    Duration maxBackoff;

    @ConfigProperty(name = "flagledger.outbox.signature", defaultValue = "batch")
    Signature signature;

    @ConfigProperty(name = "flagledger.topics.security-events")
    Optional<String> securityTopic;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    private EventVerifier ownKey;
    private Counter published;
    private Counter parked;
    private final AtomicLong pending = new AtomicLong();
    private Backoff backoff;
    // Touched only by the scheduled runs, which never overlap (ConcurrentExecution.SKIP) but may run on different
    // threads, hence volatile.
    private volatile int failures;
    private volatile Instant nextAttempt = Instant.MIN;

    /** What one run did; the parked rows are logged and counted only once their transaction committed. */
    public record Run(int published, List<Parked> parked) {
    }

    /** A row the relay parked: enough to find it, never its payload. */
    public record Parked(long id, UUID eventId, String topic, String key, int bytes, String sha256, String reason) {
    }

    @PostConstruct
    void init() {
        ownKey = new EventVerifier(Map.of(signer.keyId(), signer.publicKey()), 0);
        published = registry.counter(PUBLISHED_METRIC);
        parked = registry.counter(PARKED_METRIC);
        registry.gauge(PENDING_METRIC, pending);
        backoff = new Backoff(pollInterval, pollInterval.compareTo(maxBackoff) > 0 ? pollInterval : maxBackoff);
    }

    @Scheduled(every = "${flagledger.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayScheduled() {
        if (Instant.now().isBefore(nextAttempt)) {
            return Uni.createFrom().voidItem();
        }
        return relay().invoke(run -> failures = 0)
                .onFailure().invoke(e -> {
                    failures++;
                    Duration delay = backoff.delay(failures);
                    nextAttempt = Instant.now().plus(delay);
                    LOG.warnf("Outbox relay paused (%d failed run(s) in a row, next in %d ms): %s", failures,
                            delay.toMillis(), e.getMessage());
                })
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
     * One run: locks up to {@code batch-size} pending rows in id order, batch-signs the sendable ones and handles them
     * one after the other (each send waits for the previous one's acknowledgement): a row is marked published once
     * acknowledged, or parked when it can never be sent; then the transaction commits. A transient failure fails the
     * returned Uni and rolls the transaction back, so no row of the batch is marked published or parked.
     */
    public Uni<Run> relay() {
        return pool.withTransaction(tx -> tx.preparedQuery(PENDING).execute(Tuple.of(batchSize))
                        .chain(rows -> {
                            List<Row> batch = new ArrayList<>();
                            rows.forEach(batch::add);
                            return relayInOrder(tx, outgoing(batch));
                        }))
                .invoke(this::committed);
    }

    /** A locked row and what to send for it (its stored payload or its batch-signed form), or why it is parked. */
    private record Outgoing(Row row, String payload, String refused) {
        boolean resigned() {
            return !payload.equals(row.getString("payload"));
        }
    }

    /** The contract check of every row, then one batch signature over the sendable rows signed with our key. */
    private List<Outgoing> outgoing(List<Row> rows) {
        List<Outgoing> out = new ArrayList<>(rows.size());
        List<Integer> toSign = new ArrayList<>();
        List<AuditEvent> events = new ArrayList<>();
        for (Row row : rows) {
            String payload = row.getString("payload");
            Checked checked = check(payload);
            out.add(new Outgoing(row, payload, checked.refused()));
            if (checked.refused() == null && signature == Signature.BATCH && ours(checked.parsed())) {
                toSign.add(out.size() - 1);
                events.add(checked.parsed().event());
            }
        }
        for (int from = 0; from < events.size(); from += EventSignature.Batch.MAX_SIZE) {
            int to = Math.min(events.size(), from + EventSignature.Batch.MAX_SIZE);
            List<AuditEvent> signed = signer.signBatch(events.subList(from, to));
            for (int i = from; i < to; i++) {
                AuditEvent v2 = signed.get(i - from);
                byte[] bytes = EventJson.canonicalBytes(v2);
                // a few hundred bytes more than the stored form: an event at the size limit goes out as stored
                if (EventValidator.violations(v2, bytes.length).isEmpty()) {
                    Outgoing o = out.get(toSign.get(i));
                    out.set(toSign.get(i), new Outgoing(o.row(), new String(bytes, StandardCharsets.UTF_8), null));
                }
            }
        }
        return out;
    }

    /**
     * Whether the stored event carries a valid signature of this relay's own key. Signing again only such rows keeps
     * the relay from turning a row someone else wrote into the table into a validly signed event.
     */
    private boolean ours(EventJson.Parsed parsed) {
        try {
            ownKey.verify(parsed.event(), parsed.signing());
            return true;
        } catch (SignatureVerificationException e) {
            return false;
        }
    }

    private Uni<Run> relayInOrder(SqlConnection tx, List<Outgoing> rows) {
        List<Parked> parkedRows = new ArrayList<>();
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> relayOne(tx, row, parkedRows))
                .collect().asList()
                .map(sent -> new Run((int) sent.stream().filter(Boolean::booleanValue).count(), List.copyOf(parkedRows)));
    }

    /** True when published, false when parked; fails on a transient error. */
    private Uni<Boolean> relayOne(SqlConnection tx, Outgoing o, List<Parked> parkedRows) {
        Row row = o.row();
        if (o.refused() != null) {
            return park(tx, row, o.refused(), parkedRows);
        }
        return emitter.sendMessage(toMessage(row, o.payload()))
                .ifNoItem().after(SEND_TIMEOUT).fail()
                .replaceWith(true)
                .onFailure(OutboxRelay::parks).recoverWithUni(e -> park(tx, row, describe(e), parkedRows))
                .call(sent -> !sent ? Uni.createFrom().voidItem() : o.resigned()
                        ? tx.preparedQuery(MARK_PUBLISHED_AS).execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC), o.payload(), row.getLong("id")))
                        : tx.preparedQuery(MARK_PUBLISHED).execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC), row.getLong("id"))));
    }

    /** A stored payload parsed (with its signing bytes), or why it can never be a valid record. */
    private record Checked(EventJson.Parsed parsed, String refused) {
    }

    /** The contract's check again, as consumers will do it. */
    private static Checked check(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        try {
            EventJson.Parsed parsed = EventJson.parseCanonical(bytes);
            List<String> violations = EventValidator.violations(parsed.event(), bytes.length);
            return new Checked(parsed, violations.isEmpty() ? null : "contract: " + String.join("; ", violations));
        } catch (InvalidEventException e) {
            return new Checked(null, "unparseable: " + e.getMessage());
        }
    }

    /**
     * Whether a send failure is about the record itself, so sending it again can never succeed. Errors of the
     * producer, the connection or the cluster are not: fixing the broker or its ACLs must find every row still
     * pending.
     */
    static boolean parks(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RetriableException || e instanceof AuthenticationException
                    || e instanceof AuthorizationException || e instanceof ProducerFencedException
                    || e instanceof InvalidProducerEpochException || e instanceof OutOfOrderSequenceException
                    || e instanceof UnsupportedVersionException || e instanceof UnknownServerException) {
                return false;
            }
            // RecordTooLargeException, RecordBatchTooLargeException, InvalidRecordException, InvalidTopicException, ...
            if (e instanceof SerializationException || e instanceof ApiException) {
                return true;
            }
        }
        return false;
    }

    private Uni<Boolean> park(SqlConnection tx, Row row, String reason, List<Parked> parkedRows) {
        String payload = row.getString("payload");
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        Parked p = new Parked(row.getLong("id"), row.getUUID("event_id"), row.getString("topic"),
                row.getString("message_key"), bytes.length, Hashing.sha256Hex(bytes), bounded(reason));
        parkedRows.add(p);
        Uni<Void> marked = tx.preparedQuery(PARK).execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC), p.reason(), p.id()))
                .replaceWithVoid();
        Optional<OutboxRecord> alert = alert(p, payload);
        return (alert.isEmpty() ? marked : marked.chain(() -> alert.get().insert(tx))).replaceWith(false);
    }

    /**
     * The signed {@value #PARKED_ACTION} event for the ledger, when there is a security topic. None for a parked
     * alert itself: an alert about an alert could repeat without end.
     */
    private Optional<OutboxRecord> alert(Parked p, String payload) {
        if (securityTopic.isEmpty() || isParkedAlert(payload)) {
            return Optional.empty();
        }
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.put("parked_event_id", p.eventId().toString());
        scope.put("topic", SafeText.escape(p.topic()));
        scope.put("message_key", SafeText.escape(p.key()));
        scope.put("payload_bytes", p.bytes());
        scope.put("payload_sha256", p.sha256());
        scope.put("reason", p.reason());
        AuditEvent unsigned = AuditEvent.builder()
                .actorId(service)
                .actorType(ActorType.SERVICE)
                .actorName(service)
                .sourceService(service)
                .request(new RequestMetadata(null, null, Channel.AUTOMATION))
                .action(PARKED_ACTION)
                .scope(scope)
                .correlationId(p.eventId().toString())
                .reason("Outbox event " + p.eventId() + " for " + SafeText.escape(p.topic())
                        + " can never be published and was parked; later events continue")
                .build();
        try {
            return Optional.of(OutboxRecord.of(signer.sign(unsigned), securityTopic.get(), service + "/outbox"));
        } catch (EventRefusedException e) {
            // Cannot happen with the bounded, escaped values above; if it did, the park must still go through.
            LOG.errorf("The %s event for outbox row %d was refused: %s", PARKED_ACTION, p.id(), e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean isParkedAlert(String payload) {
        try {
            return PARKED_ACTION.equals(EventJson.parse(payload).action());
        } catch (InvalidEventException e) {
            return false;
        }
    }

    private void committed(Run run) {
        published.increment(run.published());
        for (Parked p : run.parked()) {
            parked.increment();
            LOG.errorf("Parked outbox row %d (event %s, topic %s, key %s, %d bytes, sha256 %s): %s. Later rows continue.",
                    p.id(), p.eventId(), SafeText.escape(p.topic()), SafeText.escape(p.key()), p.bytes(), p.sha256(),
                    p.reason());
        }
    }

    // No control characters (the reason reaches logs and the ledger) and bounded.
    private static String bounded(String reason) {
        String safe = SafeText.escape(reason == null ? "unknown" : reason);
        return safe.length() <= MAX_REASON_CHARS ? safe : safe.substring(0, MAX_REASON_CHARS) + "...";
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (!(cause instanceof ApiException || cause instanceof SerializationException) && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return "kafka: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static Message<String> toMessage(Row row, String payload) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EVENT_ID_HEADER, row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
        return Message.of(payload).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.getString("topic"))
                .withKey(row.getString("message_key"))
                .withHeaders(headers)
                .build());
    }
}
