package io.flagledger.audit.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.ledger.Reason;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Signed alerts on {@code security.events}, where SIEMs and on-call tooling already listen; audit-service
 * consumes that topic too, so every alert also lands in the ledger. Sending is fire-and-forget: the emitter
 * buffers while Kafka is away, and the metric and log line that accompany each alert never depend on it.
 */
@ApplicationScoped
public class SecurityAlerts {

    private static final Logger LOG = Logger.getLogger(SecurityAlerts.class);

    @Inject
    @Channel("security-alerts")
    Emitter<byte[]> emitter;

    @Inject
    EventSigner signer;

    @Inject
    MeterRegistry registry;

    /**
     * @param action        e.g. {@code audit.event_quarantined}
     * @param correlationId ties repeated alerts about one cause together
     * @param details       the alert's content, as {@code new_state}
     */
    public void raise(String action, String correlationId, String reason, ObjectNode details) {
        AuditEvent alert = signer.sign(AuditEvent.builder()
                .action(action)
                .actorId(TrustedProducers.SELF)
                .actorType(ActorType.SERVICE)
                .sourceService(TrustedProducers.SELF)
                .correlationId(correlationId)
                .reason(Reason.safe(reason)) // an alert must never be a record the ledger refuses
                .newState(details)
                .build());
        registry.counter("flagledger.audit.alerts", "action", action).increment();
        try {
            emitter.send(EventJson.toJson(alert).getBytes(StandardCharsets.UTF_8)).whenComplete((ok, e) -> {
                if (e != null) {
                    LOG.errorf("Alert %s (%s) could not be published to security.events: %s", action, alert.eventId(), e.getMessage());
                }
            });
        } catch (RuntimeException e) { // e.g. the emitter's buffer is full during a long Kafka outage
            LOG.errorf("Alert %s (%s) could not be queued for security.events: %s", action, alert.eventId(), e.getMessage());
        }
    }
}
