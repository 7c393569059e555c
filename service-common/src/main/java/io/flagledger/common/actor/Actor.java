package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import java.util.List;

/** Who is acting, as the identity provider says: the canonical subject plus what a human reader needs. */
public record Actor(String id, ActorType type, String name, String email, List<String> roles) {

    public boolean isService() {
        return type == ActorType.SERVICE;
    }

    /** An audit event builder with this actor, the request it came through and the emitting service filled in. */
    public AuditEvent.Builder event(String sourceService, RequestMetadata request) {
        return AuditEvent.builder()
                .actorId(id)
                .actorType(type)
                .actorName(name)
                .actorEmail(email)
                .actorRoles(roles)
                .sourceService(sourceService)
                .request(request);
    }
}
