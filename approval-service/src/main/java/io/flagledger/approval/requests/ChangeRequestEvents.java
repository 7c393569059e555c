package io.flagledger.approval.requests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.db.Db;
import io.flagledger.approval.notify.Notifier;
import io.flagledger.approval.outbox.Outbox;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Every transition of a change request becomes a signed audit event (outbox) and a webhook notification,
 * both in the transaction of the transition.
 */
@ApplicationScoped
public class ChangeRequestEvents {

    public static final String SOURCE = "approval-service";
    /** The actor of transitions this service makes on its own (apply, expiry). */
    public static final Actor SELF = new Actor(SOURCE, io.flagledger.contract.ActorType.SERVICE, SOURCE, null, List.of("automation"));

    @Inject
    Outbox outbox;

    @Inject
    Notifier notifier;

    public void record(Db.Tx tx, String action, Actor actor, RequestMetadata request, ChangeRequest before,
                       ChangeRequest after, String reason, JsonNode scope) {
        AuditEvent event = actor.event(SOURCE, request)
                .action("change_request." + action)
                .project(after.project())
                .flagId(after.flag())
                .environment(after.environment())
                .previousState(before == null ? null : state(before))
                .newState(state(after))
                .scope(targetScope(after, scope))
                .correlationId(after.correlationId())
                .reason(reason)
                .build();
        // before the outbox: an event too big to publish refuses the request (the transaction rolls back)
        int bytes = EventJson.canonicalBytes(event).length;
        if (bytes > EdgeInput.MAX_EVENT_BYTES) {
            throw new ProblemException(413, "The change request's " + action + " event would be " + bytes
                    + " bytes, more than " + EdgeInput.MAX_EVENT_BYTES + ": propose a smaller config or definition");
        }
        outbox.append(tx, event);
        notifier.enqueue(tx, event, after);
    }

    /**
     * Every event says what the request targets: {@code target} is {@code flag} or {@code segment}, and a segment
     * request names the segment in {@code segment} (its events have no flag id), as flag-api's segment events do.
     */
    private static JsonNode targetScope(ChangeRequest cr, JsonNode scope) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("target", cr.target());
        if (cr.isSegment()) {
            out.put("segment", cr.segment());
        }
        if (scope instanceof ObjectNode given) {
            out.setAll(given);
        }
        return out;
    }

    private static JsonNode state(ChangeRequest cr) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("change_request_id", cr.id().toString());
        node.put("state", cr.state().wire());
        node.put("revision", cr.revision());
        node.put("base_version", cr.baseVersion());
        node.put("change_sha256", cr.changeSha256());
        node.put("requester", cr.requesterId());
        node.put("policy", cr.policy().name());
        if (cr.appliedVersion() != null) {
            node.put("applied_version", cr.appliedVersion());
        }
        if (cr.frozenBy() != null) {
            node.put("frozen_by", cr.frozenBy().id());
        }
        return node;
    }
}
