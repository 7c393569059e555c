package io.flagledger.approval.supersede;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.requests.ChangeRequestService;
import io.flagledger.common.retry.Failures;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.verify.EventGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Watches flag-api's events on {@code flag.changes} so that a pending or approved change request whose flag
 * environment or segment moved past its base version becomes {@code superseded} at once, not only when its apply
 * meets 412 (approvers then stop reviewing a proposal that can no longer be applied).
 * <p>
 * Best effort by design: the apply's {@code If-Match} on the base version stays the guarantee, so a record that
 * cannot be handled (deterministically) is logged and skipped rather than stopping the channel; a transient failure
 * is retried with backoff. Redelivery is harmless: a request moves only from pending/approved, and only for a
 * version above its base.
 * <p>
 * Superseding cancels approved work, so only genuine flag-api events count: every record passes the
 * {@link EventGate} first (contract envelope, Ed25519 signature by a trusted key bound to flag-api, flag-api being
 * the producer of {@code flag.changes}). A refused record is never acted upon; it is counted
 * ({@code flagledger.approval.events.rejected{topic,reason}}), logged without its payload, and acknowledged so a
 * forged record cannot stall the channel.
 */
@ApplicationScoped
public class FlagChangeListener {

    private static final Logger LOG = Logger.getLogger(FlagChangeListener.class);
    /** flag-api's event of an incident freeze lifted (docs/freeze.md). */
    static final String FREEZE_LIFTED = "freeze.lifted";

    @Inject
    ChangeRequestService requests;

    @Inject
    EventGate gate;

    @Inject
    MeterRegistry registry;

    @Incoming("flag-changes")
    @Blocking
    public void onRecord(ConsumerRecord<String, String> record) {
        EventGate.Verdict verdict;
        try {
            verdict = gate.judge(record.topic(), record.value());
        } catch (RuntimeException e) {
            // a verifier failing on an input nobody foresaw is a malformed record, not a stopped channel
            verdict = new EventGate.Verdict(null, EventGate.Reason.MALFORMED, "unreadable: " + e.getClass().getSimpleName());
        }
        if (!verdict.admitted()) {
            reject(record, verdict);
            return;
        }
        onChange(verdict.event());
    }

    private void reject(ConsumerRecord<String, String> record, EventGate.Verdict verdict) {
        String reason = verdict.reason().label();
        registry.counter("flagledger.approval.events.rejected", "topic", record.topic(), "reason", reason).increment();
        AuditEvent claimed = verdict.event();
        String eventId = claimed == null || claimed.eventId() == null ? "-" : clean(claimed.eventId(), 64);
        LOG.warnf("Rejected record %s/%d@%d (event %s): %s: %s. Not acted upon.", record.topic(), record.partition(),
                record.offset(), eventId, reason, clean(verdict.detail(), 1000));
    }

    /** A verified flag-api event. */
    void onChange(AuditEvent event) {
        if (FREEZE_LIFTED.equals(event.action()) && event.project() != null && event.newState() != null
                && event.newState().path("id").isTextual()) {
            // approved requests held back by this freeze are applied now, not after the rest of their backoff
            String freezeId = event.newState().path("id").asText();
            Failures.retryTransient("Releasing requests frozen by " + freezeId,
                    () -> requests.releaseFrozen(event.project(), freezeId),
                    e -> LOG.warnf("Could not release requests frozen by %s; they are retried by their backoff: %s",
                            clean(freezeId, 64), e.getMessage()));
            return;
        }
        ChangeRequestService.Moved moved = moved(event);
        if (moved == null) {
            return;
        }
        // the database down: retried (the channel waits, nothing is missed); a deterministic failure is skipped
        Failures.retryTransient("Superseding against event " + event.eventId(), () -> requests.supersedeMoved(moved),
                e -> LOG.warnf("Could not check change requests against event %s (%s); the apply will still detect a "
                        + "moved base: %s", event.eventId(), event.action(), e.getMessage()));
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

    /** No control characters (log forging), bounded length. */
    static String clean(String s, int max) {
        if (s == null) {
            return null;
        }
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= max ? printable : printable.substring(0, max) + "...";
    }
}
