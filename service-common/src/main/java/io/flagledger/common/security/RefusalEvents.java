package io.flagledger.common.security;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

/**
 * The ledger events of refused requests, the same in every service: {@code access.denied} for the first refusal of a
 * {@link DenialThrottle.Key}, {@code access.denied.summary} for the ones counted after it. Which statuses count as a
 * refusal: 401 and 403 (who you are, what you may do), 428 (a protected change attempted without the approval it
 * needs) and 423 (a write attempted during an incident freeze), so every attempt around the approval gate or a freeze
 * is in the ledger, not only in a log. A service that knows what was refused (a 423 names the freeze) leaves a
 * {@link Subject} on the request ({@link #SUBJECT_PROPERTY}) and the event carries it. Every value the caller
 * chose is escaped, so nothing a caller sends can stop the record being written.
 */
public final class RefusalEvents {

    public static final String DENIED = "access.denied";
    public static final String SUMMARY = "access.denied.summary";
    public static final Set<Integer> RECORDED_STATUSES = Set.of(401, 403, 423, 428);
    /** Request property holding the {@link Subject} of a refusal, set where the refusal is rendered. */
    public static final String SUBJECT_PROPERTY = "flagledger.refusal.subject";
    /** Endpoint of a refusal that matched no resource method. */
    public static final String UNMATCHED = "(unmatched)";
    private static final int MAX_PATH = 512;

    private RefusalEvents() {
    }

    /** The request a refusal answered. */
    public record Refusal(String method, String path, String endpoint, int status, String channelHeader,
                          String correlationHeader) {
    }

    /**
     * What a refusal was about, when the service knows: project and environment of the refused write (the event's), its
     * flag ({@code scope.flag}), and one object the event's scope names under {@code field} (e.g. {@code freeze}: the
     * freeze that refused it).
     */
    public record Subject(String project, String flag, String environment, String field, ObjectNode detail) {
    }

    /** The full {@code access.denied} event of one refusal, unsigned. */
    public static AuditEvent denied(String service, Actor actor, RequestMetadata metadata, Refusal refusal) {
        return denied(service, actor, metadata, refusal, null);
    }

    /** The full {@code access.denied} event of one refusal with what it was about ({@code subject} may be null). */
    public static AuditEvent denied(String service, Actor actor, RequestMetadata metadata, Refusal refusal, Subject subject) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode()
                .put("method", refusal.method()).put("path", EventText.escape(refusal.path(), MAX_PATH))
                .put("endpoint", refusal.endpoint()).put("status", refusal.status());
        if (refusal.channelHeader() != null) {
            scope.put("channel_header", refusal.channelHeader());
        }
        String correlation = refusal.correlationHeader();
        boolean usable = usableCorrelationId(correlation);
        if (correlation != null && !usable) {
            scope.put("correlation_header", EventText.escape(correlation, EventValidator.MAX_ID_LENGTH));
        }
        AuditEvent.Builder event = actor.event(service, metadata).action(DENIED);
        if (subject != null) {
            // the flag is named in the scope, not as flag_id: a refusal is no event of the flag's own history
            event.project(subject.project()).environment(subject.environment());
            if (subject.flag() != null) {
                scope.put("flag", subject.flag());
            }
            scope.set(subject.field(), subject.detail());
        }
        return event.scope(scope).correlationId(usable ? correlation : UuidV7.nextString()).build();
    }

    public static boolean usableCorrelationId(String value) {
        return value != null && value.matches(EventText.CORRELATION_ID) && value.length() <= EventValidator.MAX_ID_LENGTH;
    }

    /** One {@code access.denied.summary}: how many refusals of one key a window counted without recording each. */
    public static AuditEvent summary(String service, DenialThrottle.Summary summary) {
        DenialThrottle.Key key = summary.key();
        boolean overflow = key.equals(DenialThrottle.Key.OVERFLOW);
        ObjectNode scope = JsonNodeFactory.instance.objectNode()
                .put("count", summary.count())
                .put("first_at", summary.first().toString())
                .put("last_at", summary.last().toString())
                .put("window_seconds", summary.window().toSeconds())
                .put("overflow", overflow);
        if (!overflow) {
            scope.put("method", key.method()).put("endpoint", key.endpoint()).put("status", key.status());
        }
        return AuditEvent.builder()
                .actorId(overflow ? "*" : key.principal())
                .actorType(ActorType.USER)
                .actorRoles(List.of())
                .sourceService(service)
                .request(new RequestMetadata(null, overflow ? null : key.clientAddress(), null))
                .action(SUMMARY)
                .scope(scope)
                .correlationId(UuidV7.nextString())
                .build();
    }

    /** The matched resource method's path template ("/api/v1/projects/{project}/flags/{key}"), never the raw path. */
    public static String endpoint(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || resource.getResourceClass() == null) {
            return UNMATCHED;
        }
        Path classPath = resource.getResourceClass().getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        return (classPath == null ? "" : classPath.value()) + (methodPath == null ? "" : methodPath.value());
    }

    /** The anonymous actor of a refusal without a usable identity. */
    public static Actor anonymous() {
        return new Actor("anonymous", ActorType.USER, null, null, List.of());
    }
}
