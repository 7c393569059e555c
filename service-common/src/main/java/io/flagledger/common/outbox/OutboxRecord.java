package io.flagledger.common.outbox;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;

/**
 * One row of a service's {@code outbox_event} table: a signed event, the topic it goes to and its message key.
 * <p>
 * Every service that owns an outbox has the same table (its Flyway migrations):
 * {@code id bigserial, event_id uuid unique, topic, message_key, payload text, created_at timestamptz,
 * published_at timestamptz, parked_at timestamptz, park_reason text} with a partial index on
 * {@code id where published_at is null and parked_at is null}. A row is written in the transaction of the state
 * change it records, so the event exists if and only if the change does; {@link OutboxRelay} publishes it
 * afterwards (or parks it, see there). A row is only ever written for an event the contract accepts.
 *
 * @param event      the signed event
 * @param topic      the Kafka topic it is published to
 * @param messageKey its Kafka key: events sharing a key share a partition, hence an order
 * @param payload    the signed event as canonical JSON; {@link OutboxRelay} publishes it as is, or (batch signatures,
 *                   the default) replaces it with the batch-signed form it published
 * @param createdAt  when it was appended
 */
public record OutboxRecord(AuditEvent event, String topic, String messageKey, String payload, Instant createdAt) {

    /** Inserts one row; parameters in the order of {@link #tuple()}. */
    public static final String INSERT = "insert into outbox_event (event_id, topic, message_key, payload, created_at) "
            + "values ($1, $2, $3, $4, $5)";

    private static final Pattern JSON_PATH = Pattern.compile(" at \\$\\.([A-Za-z0-9_.\\[\\]]+)");

    public OutboxRecord {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(messageKey, "messageKey");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /**
     * The row for an already signed event, created now. Every producer goes through here, so this is where the event
     * contract is checked before the outbox: an event the contract (or the broker's size limit) would refuse is never
     * written, and the change it records must not happen either.
     *
     * @throws EventRefusedException when {@link EventValidator#violations(AuditEvent, int)} finds anything
     */
    public static OutboxRecord of(AuditEvent signed, String topic, String messageKey) {
        byte[] canonical = canonicalBytes(signed);
        List<String> violations = EventValidator.violations(signed, canonical.length);
        if (!violations.isEmpty()) {
            throw new EventRefusedException(violations, canonical.length);
        }
        return new OutboxRecord(signed, topic, messageKey, new String(canonical, StandardCharsets.UTF_8), Instant.now());
    }

    /**
     * Signs {@code unsigned} and returns its row, keyed by {@link #orderingKey(AuditEvent)}.
     *
     * @throws EventRefusedException as {@link #of}, or when the event cannot be canonicalized (e.g. a number
     *                               overflowing a double)
     */
    public static OutboxRecord sign(EventSigner signer, AuditEvent unsigned, String topic) {
        AuditEvent signed;
        try {
            signed = signer.sign(unsigned);
        } catch (IllegalArgumentException e) {
            throw uncanonical(e);
        }
        return of(signed, topic, orderingKey(signed));
    }

    private static byte[] canonicalBytes(AuditEvent signed) {
        try {
            return EventJson.canonicalBytes(signed);
        } catch (IllegalArgumentException e) {
            throw uncanonical(e);
        }
    }

    // CanonicalJson's IllegalArgumentException: content JCS cannot represent, a property of the input, not a bug
    // here. Its message names the place as "at $.new_state.n"; that becomes the field, as EventValidator words it.
    private static EventRefusedException uncanonical(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        Matcher at = JSON_PATH.matcher(message);
        String violation = at.find() ? at.group(1) + ": " + message.substring(0, at.start()) + message.substring(at.end())
                : "event: " + message;
        return new EventRefusedException(List.of(SafeText.escape(violation)), 0);
    }

    /**
     * What a change is about, as a Kafka key: events sharing a key share a partition, hence an order.
     * {@code <project>/<flag id>} for a flag (flag-api's event history reads a flag's events by it);
     * {@code <project>/segment:<key>} for a segment (named in {@code scope.segment}; no flag key contains ':');
     * each part {@code -} when absent.
     */
    public static String orderingKey(AuditEvent event) {
        String project = event.project() == null ? "-" : event.project();
        if (event.flagId() != null) {
            return project + "/" + event.flagId();
        }
        String segment = event.scope() == null ? "" : event.scope().path("segment").asText("");
        return project + "/" + (segment.isEmpty() ? "-" : "segment:" + segment);
    }

    public UUID eventId() {
        return UUID.fromString(event.eventId());
    }

    /** The values of {@link #INSERT}: event id, topic, message key, payload, created at (UTC). */
    public Tuple tuple() {
        return Tuple.of(eventId(), topic, messageKey, payload, createdAt.atOffset(ZoneOffset.UTC));
    }

    /** The same values as an array, for callers with their own statement helpers. */
    public Object[] values() {
        OffsetDateTime created = createdAt.atOffset(ZoneOffset.UTC);
        return new Object[] {eventId(), topic, messageKey, payload, created};
    }

    /** Appends the row on {@code tx}, a connection inside the caller's transaction. */
    public Uni<AuditEvent> insert(SqlConnection tx) {
        return tx.preparedQuery(INSERT).execute(tuple()).replaceWith(event);
    }
}
