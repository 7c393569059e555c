package io.flagledger.monitor.approvals;

import io.flagledger.contract.AuditEvent;
import io.flagledger.monitor.rules.RuleSet;
import io.flagledger.contract.verify.EventGate;
import io.flagledger.monitor.verify.RejectedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Learns which change requests were approved, for the unapproved-change rule. Only approval-service's verified
 * events count: a forged "approved" event is refused by the {@link EventGate}, reported and acknowledged. Recording
 * an approval is idempotent, so a redelivered event changes nothing.
 */
@ApplicationScoped
public class ApprovalConsumer {

    @Inject
    ApprovalStore store;

    @Inject
    RuleSet rules;

    @Inject
    EventGate gate;

    @Inject
    RejectedEvents rejected;

    @Incoming("approval-events")
    @Blocking
    public void onRecord(ConsumerRecord<String, String> record) {
        AuditEvent event = rejected.admit(gate, record);
        if (event != null) {
            rejected.handle(record, event, () -> onEvent(event));
        }
    }

    /** A verified approval event. */
    void onEvent(AuditEvent event) {
        if (!"change_request.approved".equals(event.action()) && !"change_request.applied".equals(event.action())) {
            return;
        }
        // approval-service puts the request's id in its new state; flag-api's events name the same id.
        String id = event.newState() != null && event.newState().hasNonNull("change_request_id")
                ? event.newState().get("change_request_id").asText() : event.correlationId();
        store.recordApproval(id, event.project(), event.flagId(), event.environment(), event.timestamp());
        String approvedId = id;
        rules.unapproved().ifPresent(rule -> rule.approvalArrived(change ->
                change.approvalId().map(approvedId::equals).orElse(false) && Objects.equals(change.project(), event.project())));
    }
}
