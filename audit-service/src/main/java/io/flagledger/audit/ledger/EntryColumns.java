package io.flagledger.audit.ledger;

import io.flagledger.contract.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The columns of {@code ledger_entry} that queries and exports filter on, derived in one place from the signed
 * event: the ledger writes them from it and the self-check recomputes them from the stored canonical JSON. They are
 * not covered by the leaf hash, so this comparison is what makes editing them detectable.
 */
public record EntryColumns(UUID eventId, Instant occurredAt, String sourceService, String action, String actorId,
                           String actorType, String project, String flagId, String environment, String correlationId,
                           String channel) {

    /** The SQL column list, in record order; {@code select} it to build {@link #of(io.vertx.mutiny.sqlclient.Row)}. */
    public static final String COLUMNS = "event_id, occurred_at, source_service, action, actor_id, actor_type, project, "
            + "flag_id, environment, correlation_id, channel";

    /** PostgreSQL keeps microseconds (rounded); a signed timestamp may carry nanoseconds. */
    private static final Duration TIME_PRECISION = Duration.ofNanos(500);

    public static EntryColumns of(AuditEvent e) {
        return new EntryColumns(UUID.fromString(e.eventId()), e.timestamp(), e.sourceService(), e.action(), e.actorId(),
                e.actorType() == null ? null : e.actorType().name().toLowerCase(Locale.ROOT), e.project(), e.flagId(),
                e.environment(), e.correlationId(), e.request() == null || e.request().channel() == null ? null
                        : e.request().channel().name().toLowerCase(Locale.ROOT));
    }

    public static EntryColumns of(io.vertx.mutiny.sqlclient.Row r) {
        OffsetDateTime occurred = r.getOffsetDateTime("occurred_at");
        return new EntryColumns(r.getUUID("event_id"), occurred == null ? null : occurred.toInstant(),
                r.getString("source_service"), r.getString("action"), r.getString("actor_id"), r.getString("actor_type"),
                r.getString("project"), r.getString("flag_id"), r.getString("environment"), r.getString("correlation_id"),
                r.getString("channel"));
    }

    public OffsetDateTime occurredAtUtc() {
        return OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC);
    }

    /** The columns whose {@code stored} value differs from this (signed) one, by SQL name. */
    public List<String> differences(EntryColumns stored) {
        List<String> out = new ArrayList<>();
        diff(out, "event_id", eventId, stored.eventId);
        if (occurredAt == null || stored.occurredAt == null ? occurredAt != stored.occurredAt
                : Duration.between(occurredAt, stored.occurredAt).abs().compareTo(TIME_PRECISION) > 0) {
            out.add("occurred_at");
        }
        diff(out, "source_service", sourceService, stored.sourceService);
        diff(out, "action", action, stored.action);
        diff(out, "actor_id", actorId, stored.actorId);
        diff(out, "actor_type", actorType, stored.actorType);
        diff(out, "project", project, stored.project);
        diff(out, "flag_id", flagId, stored.flagId);
        diff(out, "environment", environment, stored.environment);
        diff(out, "correlation_id", correlationId, stored.correlationId);
        diff(out, "channel", channel, stored.channel);
        return out;
    }

    private static void diff(List<String> out, String column, Object signed, Object stored) {
        if (!Objects.equals(signed, stored)) {
            out.add(column);
        }
    }
}
