package io.flagledger.approval.supersede;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.requests.ChangeRequestService;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Watches flag-api's events on {@code flag.changes} so that a pending or approved change request whose flag
 * environment or segment moved past its base version becomes {@code superseded} at once, not only when its apply
 * meets 412 (approvers then stop reviewing a proposal that can no longer be applied).
 * <p>
 * Best effort by design: the apply's {@code If-Match} on the base version stays the guarantee, so a record that
 * cannot be handled is logged and skipped rather than stopping the channel. Redelivery is harmless: a request
 * moves only from pending/approved, and only for a version above its base.
 */
@ApplicationScoped
public class FlagChangeListener {

    private static final Logger LOG = Logger.getLogger(FlagChangeListener.class);

    @Inject
    ChangeRequestService requests;

    @Incoming("flag-changes")
    @Blocking
    public void onChange(String json) {
        AuditEvent event;
        try {
            event = EventJson.parse(json);
        } catch (RuntimeException e) {
            LOG.warnf("Ignoring a flag.changes record that is not an audit event: %s", e.getMessage());
            return;
        }
        ChangeRequestService.Moved moved = moved(event);
        if (moved == null) {
            return;
        }
        try {
            requests.supersedeMoved(moved);
        } catch (RuntimeException e) {
            LOG.warnf("Could not check change requests against event %s (%s); the apply will still detect a moved base: %s",
                    event.eventId(), event.action(), e.getMessage());
        }
    }

    /**
     * What an event moved, or null when it moves no flag environment or segment: flag events carry the environment
     * config's new version in {@code new_state.version}; segment events ({@code segment.*}) name the segment in
     * {@code scope.segment}.
     */
    static ChangeRequestService.Moved moved(AuditEvent event) {
        JsonNode version = event.newState() == null ? null : event.newState().get("version");
        if (event.project() == null || event.environment() == null || version == null || !version.canConvertToLong()) {
            return null;
        }
        JsonNode scope = event.scope();
        // approval-service's own apply names its change request; that write must not supersede the request
        String byRequest = scope == null ? null : scope.path("approval").path("change_request_id").asText(null);
        String action = event.action() == null ? "" : event.action();
        if (action.startsWith("segment.")) {
            String segment = scope == null ? null : scope.path("segment").asText(null);
            return segment == null ? null : new ChangeRequestService.Moved(event.project(), null, segment,
                    event.environment(), version.asLong(), event.eventId(), action, byRequest);
        }
        if (action.startsWith("flag.") && event.flagId() != null) {
            return new ChangeRequestService.Moved(event.project(), event.flagId(), null, event.environment(),
                    version.asLong(), event.eventId(), action, byRequest);
        }
        return null;
    }
}
