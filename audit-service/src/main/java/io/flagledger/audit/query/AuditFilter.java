package io.flagledger.audit.query;

import io.flagledger.common.problem.ProblemException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which ledger entries a search or an export selects. Every field is optional; the ones given must all match.
 * {@code source} is the producing service, {@code channel} the entry point recorded in the signed request
 * metadata, {@code from}/{@code to} bound the event time (inclusive, exclusive).
 */
public record AuditFilter(String project, String flag, String environment, String actor, String actorType,
                          String action, String correlationId, String source, String channel, Instant from,
                          Instant to) {

    private static final Set<String> ACTOR_TYPES = Set.of("user", "service");
    private static final Set<String> CHANNELS = Set.of("api", "console", "ci", "automation");

    public static final AuditFilter NONE = new AuditFilter(null, null, null, null, null, null, null, null, null, null, null);

    public AuditFilter {
        actorType = lower(actorType);
        channel = lower(channel);
        if (actorType != null && !ACTOR_TYPES.contains(actorType)) {
            throw ProblemException.badRequest("actor_type must be user or service, not '" + actorType + "'");
        }
        if (channel != null && !CHANNELS.contains(channel)) {
            throw ProblemException.badRequest("channel must be one of api, console, ci, automation, not '" + channel + "'");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw ProblemException.badRequest("from must be before to");
        }
    }

    /** An ISO-8601 instant with offset (e.g. 2026-04-04T10:00:00Z), or a 400 naming the parameter. */
    public static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name + " must be an ISO-8601 time with offset, e.g. 2026-04-04T10:00:00Z, not '"
                    + value + "'");
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Appends this filter's conditions to {@code conditions}, its values to {@code parameters} (never string-built). */
    void where(List<String> conditions, List<Object> parameters) {
        add(conditions, parameters, "project", project);
        add(conditions, parameters, "flag_id", flag);
        add(conditions, parameters, "environment", environment);
        add(conditions, parameters, "actor_id", actor);
        add(conditions, parameters, "actor_type", actorType);
        add(conditions, parameters, "action", action);
        add(conditions, parameters, "correlation_id", correlationId);
        add(conditions, parameters, "source_service", source);
        add(conditions, parameters, "channel", channel);
        if (from != null) {
            parameters.add(OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
            conditions.add("occurred_at >= $" + parameters.size());
        }
        if (to != null) {
            parameters.add(OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC));
            conditions.add("occurred_at < $" + parameters.size());
        }
    }

    private static void add(List<String> conditions, List<Object> parameters, String column, String value) {
        if (value != null && !value.isBlank()) {
            parameters.add(value);
            conditions.add(column + " = $" + parameters.size());
        }
    }

    private static String lower(String s) {
        return s == null || s.isBlank() ? null : s.strip().toLowerCase(Locale.ROOT);
    }
}
