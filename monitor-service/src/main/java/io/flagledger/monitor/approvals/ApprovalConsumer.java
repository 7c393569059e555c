package io.flagledger.monitor.approvals;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.monitor.rules.RuleSet;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Objects;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Learns which change requests were approved, for the unapproved-change rule. */
@ApplicationScoped
public class ApprovalConsumer {

    private static final Logger LOG = Logger.getLogger(ApprovalConsumer.class);

    @Inject
    ApprovalStore store;

    @Inject
    RuleSet rules;

    @Incoming("approval-events")
    @Blocking
    public void onEvent(String json) {
        AuditEvent event;
        try {
            event = EventJson.parse(json);
        } catch (RuntimeException e) {
            LOG.warnf("Ignoring an approval event that is not an audit event: %s", e.getMessage());
            return;
        }
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
