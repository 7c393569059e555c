package io.flagledger.monitor.verify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.common.outbox.OutboxRecord;
import io.flagledger.common.retry.Failures;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.verify.EventGate;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.flagledger.monitor.rules.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What happens to a record the {@link EventGate} refused, or that was admitted but fails deterministically when
 * handled ({@link #UNSTORABLE}): nothing is acted upon; it is counted
 * ({@code flagledger.monitor.events.rejected{topic,reason}}), logged without its payload, recorded once per Kafka
 * position in {@code rejected_event} with its bytes, and a signed {@code monitor.event_rejected} alert goes to
 * {@code security.events} through the outbox, in the same transaction, so a redelivered record alerts once.
 * The caller then acknowledges the record: no single record may stall the consumer.
 */
@ApplicationScoped
public class RejectedEvents {

    private static final Logger LOG = Logger.getLogger(RejectedEvents.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern UUID_SHAPE = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    public static final String ACTION = "monitor.event_rejected";
    /** The reason of a verified record that failed storage deterministically. */
    public static final String UNSTORABLE = "unstorable";
    private static final String SOURCE_SERVICE = "monitor-service";

    @Inject
    Pool pool;

    @Inject
    EventSigner signer;

    @Inject
    MeterRegistry registry;

    @Inject
    MonitorConfig config;

    @ConfigProperty(name = "flagledger.topics.security-events", defaultValue = "security.events")
    String securityTopic;

    /**
     * Judges a consumed record: the admitted event, or null when the record was refused (and parked here). Never
     * throws: a verifier failing on an input nobody foresaw counts as a malformed record, not a stopped consumer.
     */
    public AuditEvent admit(EventGate gate, ConsumerRecord<String, String> record) {
        EventGate.Verdict verdict;
        try {
            verdict = gate.judge(record.topic(), record.value());
        } catch (RuntimeException e) {
            verdict = new EventGate.Verdict(null, EventGate.Reason.MALFORMED, "unreadable: " + e.getClass().getSimpleName());
        }
        if (!verdict.admitted()) {
            reject(record.topic(), record.partition(), record.offset(), record.value(), verdict);
            return null;
        }
        return verdict.event();
    }

    /**
     * Handles an admitted record: {@code work} is retried while it fails transiently (the database down: nothing is
     * lost, the partition waits), and a deterministic failure parks the record as {@link #UNSTORABLE} and moves on.
     */
    public void handle(ConsumerRecord<String, String> record, AuditEvent event, Runnable work) {
        Failures.retryTransient("Handling record " + record.topic() + "/" + record.partition() + "@" + record.offset(), work,
                e -> unstorable(record.topic(), record.partition(), record.offset(), record.value(), event, e));
    }

    public void reject(String topic, int partition, long offset, String payload, EventGate.Verdict verdict) {
        park(topic, partition, offset, payload, verdict.reason().label(), verdict.detail(), verdict.event(),
                "failed verification (" + verdict.reason().label() + ")");
    }

    /**
     * A verified record that cannot be stored for a deterministic reason (SQLSTATE class 22/23, e.g. a NUL): kept
     * like a refused one, so the consumer moves on and the record is not lost.
     */
    public void unstorable(String topic, int partition, long offset, String payload, AuditEvent event, RuntimeException failure) {
        String state = Failures.sqlState(failure);
        park(topic, partition, offset, payload, UNSTORABLE, (state == null ? "" : "SQLSTATE " + state + ": ") + failure.getMessage(),
                event, "could not be stored (" + (state == null ? failure.getClass().getSimpleName() : "SQLSTATE " + state) + ")");
    }

    /**
     * A service.health sample from an application that is not configured: kept and alerted like a refused event. The
     * caller does this for the first sample of each name only (later ones are counted), so a flood alerts once.
     */
    public void unknownApplication(String topic, int partition, long offset, String payload, String application) {
        park(topic, partition, offset, payload, UNKNOWN_APPLICATION, "sample from application '" + application
                + "', which is not in flagledger.monitor.applications", null, "came from an unconfigured application");
    }

    /** The reason of a service.health sample from an application not configured. */
    public static final String UNKNOWN_APPLICATION = "unknown-application";

    private void park(String topic, int partition, long offset, String payload, String reason, String why, AuditEvent claimed,
                      String what) {
        registry.counter("flagledger.monitor.events.rejected", "topic", topic, "reason", reason).increment();
        String position = topic + "/" + partition + "@" + offset;
        String eventId = claimedEventId(claimed);
        String detail = clean(why, 1000);
        LOG.warnf("Rejected record %s (event %s): %s: %s. Not acted upon.", position, eventId == null ? "-" : eventId, reason, detail);
        byte[] bytes = payload == null ? new byte[0] : payload.getBytes(StandardCharsets.UTF_8);
        String sha256 = Hashing.sha256Hex(bytes);
        try {
            AuditEvent alert = signer.sign(alert(topic, partition, offset, eventId, reason, what, claimed, detail, sha256, bytes.length));
            // the database down must not lose the record: retried; a refusal of the row itself ends here
            Failures.retryTransient("Parking record " + position, () -> {
                Boolean alerted = pool.withTransaction(tx -> tx.preparedQuery("insert into rejected_event (topic, kafka_partition, "
                                        + "kafka_offset, event_id, reason, detail, payload_sha256, rejected_at, payload) "
                                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                                        + "on conflict (topic, kafka_partition, kafka_offset) do nothing returning id")
                                .execute(Tuple.from(new Object[] {topic, partition, offset, eventId, reason, detail, sha256,
                                        OffsetDateTime.now(ZoneOffset.UTC), Buffer.buffer(bytes)}))
                                .chain(rows -> !rows.iterator().hasNext() ? io.smallrye.mutiny.Uni.createFrom().item(false)
                                        : OutboxRecord.of(alert, securityTopic, "monitor-service/" + topic).insert(tx).replaceWith(true)))
                        .await().atMost(TIMEOUT);
                if (Boolean.TRUE.equals(alerted)) {
                    registry.counter("flagledger.monitor.security.alerts", "action", ACTION).increment();
                } else {
                    LOG.infof("Record %s was rejected before (redelivered): no second alert", position);
                }
            }, e -> {
                throw e;
            });
        } catch (RuntimeException e) {
            // The record is still not acted upon; the metric and the log line above are the alert of last resort.
            registry.counter("flagledger.monitor.security.alerts.failed", "action", ACTION).increment();
            LOG.errorf("The security alert for rejected record %s could not be recorded: %s", position, e.getMessage());
        }
    }

    private AuditEvent alert(String topic, int partition, long offset, String eventId, String reason, String what,
                             AuditEvent claimed, String detail, String sha256, int size) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.put("topic", topic);
        scope.put("partition", partition);
        scope.put("offset", offset);
        scope.put("reason", reason);
        scope.put("detail", detail);
        if (eventId != null) {
            scope.put("rejected_event_id", eventId);
        }
        scope.put("payload_sha256", sha256);
        scope.put("payload_bytes", size);
        if (claimed != null) {
            // What the record claims, for forensics; none of it is trusted (and none is a payload field).
            ObjectNode claims = scope.putObject("claimed");
            putClean(claims, "source_service", claimed.sourceService());
            putClean(claims, "action", claimed.action());
            putClean(claims, "actor_id", claimed.actorId());
            putClean(claims, "project", claimed.project());
            putClean(claims, "flag_id", claimed.flagId());
            putClean(claims, "environment", claimed.environment());
            if (claimed.signature() != null) {
                putClean(claims, "key_id", claimed.signature().keyId());
            }
        }
        return AuditEvent.builder()
                .actorId(config.actorId())
                .actorType(ActorType.SERVICE)
                .actorName(SOURCE_SERVICE)
                .actorRoles("automation")
                .sourceService(SOURCE_SERVICE)
                .request(new RequestMetadata(null, null, Channel.AUTOMATION))
                .action(ACTION)
                .scope(scope)
                .correlationId(eventId != null ? eventId : "rejected-" + topic + "-" + partition + "-" + offset)
                .reason("Record " + topic + "/" + partition + "@" + offset + " " + what + " and was not acted upon")
                .build();
    }

    /** The record's event id when it has the shape of one (it may be a forger's choice, but cannot inject anything). */
    private static String claimedEventId(AuditEvent event) {
        return event != null && event.eventId() != null && UUID_SHAPE.matcher(event.eventId()).matches() ? event.eventId() : null;
    }

    private static void putClean(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, clean(value, 256));
        }
    }

    /**
     * No control characters (log forging) and no lone surrogate (the alert must be signable): percent-escaped, then
     * bounded without splitting a surrogate pair.
     */
    static String clean(String s, int max) {
        if (s == null) {
            return null;
        }
        String printable = SafeText.escape(s);
        if (printable.length() <= max) {
            return printable;
        }
        int end = Character.isHighSurrogate(printable.charAt(max - 1)) ? max - 1 : max;
        return printable.substring(0, end) + "...";
    }
}
