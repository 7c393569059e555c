package io.flagledger.flagapi.security;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every refused management request (401, 403) becomes a signed {@code access.denied} event on
 * {@code security.events}, written through the outbox like any change, so the ledger shows attempts and not only
 * successes. Evaluation endpoints are left out: a misconfigured SDK would otherwise flood the ledger.
 */
public class DeniedRequestRecorder {

    private static final Logger LOG = Logger.getLogger(DeniedRequestRecorder.class);

    @Inject
    Outbox outbox;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    CurrentActor currentActor;

    @ConfigProperty(name = "flagledger.topics.security-events")
    String topic;

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        String path = request.getUriInfo().getPath();
        if ((status != 401 && status != 403) || !path.startsWith("/api/")) {
            return Uni.createFrom().voidItem();
        }
        String method = request.getMethod();
        String correlation = request.getHeaderString("X-Correlation-Id");
        RequestMetadata metadata = currentActor.requestMetadata(Channel.API);
        // The identity is resolved lazily; a bad token has none, and that denial is recorded as anonymous.
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(identity -> {
                    AuditEvent.Builder event = identity == null || identity.isAnonymous()
                            ? AuditEvent.builder().actorId("anonymous").actorType(ActorType.USER).actorRoles(List.of())
                                    .sourceService("flag-api").request(metadata)
                            : currentActor.actorOf(identity).event("flag-api", metadata);
                    AuditEvent denied = event.action("access.denied")
                            .scope(FlagCodec.tree(Map.of("method", method, "path", truncate(path), "status", status)))
                            .correlationId(correlation == null || correlation.isBlank() ? UuidV7.nextString() : truncate(correlation))
                            .build();
                    return Panache.withTransaction(() -> outbox.append(denied, topic));
                })
                // Recording must never turn a 401/403 into a 500.
                .onFailure().invoke(e -> LOG.errorf("Could not record a denied request to %s: %s", path, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private static String truncate(String value) {
        return value.length() > 256 ? value.substring(0, 256) : value;
    }
}
