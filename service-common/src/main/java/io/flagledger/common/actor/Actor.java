package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import java.util.List;

/**
 * Who is acting, as the identity provider says: the canonical subject plus what a human reader needs.
 * {@code person} names the human behind the account ({@link IdentityConfig#personClaim()}), the same for every
 * account one person holds; null for services, when no person claim is configured, or when the token lacks it.
 */
public record Actor(String id, ActorType type, String name, String email, List<String> roles, String person) {

    public Actor(String id, ActorType type, String name, String email, List<String> roles) {
        this(id, type, name, email, roles, null);
    }

    /** Whether this actor is the account {@code otherId} or the same person as {@code otherPerson}. */
    public boolean isSameAs(String otherId, String otherPerson) {
        return id.equals(otherId) || (person != null && person.equals(otherPerson));
    }

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
