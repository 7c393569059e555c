package io.flagledger.flagapi.security;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.security.RefusalRecorder;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.flagapi.freeze.FreezeProblemMapper;
import io.flagledger.flagapi.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * flag-api's refused management requests (401, 403, 423, 428) in the ledger, through the shared {@link RefusalRecorder}
 * and flag-api's outbox, and SDK keys used beyond their kind (403, e.g. a client key opening the raw-config stream).
 * Refusals go to {@code security.events}, except a write refused by a freeze (423): that is an attempted flag change
 * during an incident, so it goes to {@code flag.changes}, where monitor-service judges every flag change and alerts
 * on it (docs/freeze.md).
 */
@ApplicationScoped
public class DeniedRequestRecorder {

    @Inject
    Outbox outbox;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    CurrentActor currentActor;

    @ConfigProperty(name = "flagledger.topics.security-events")
    String topic;

    @ConfigProperty(name = "flagledger.topics.flag-changes")
    String flagChangesTopic;

    @ConfigProperty(name = "flagledger.denials.window", defaultValue = "60s")
    Duration window;

    @ConfigProperty(name = "flagledger.denials.max-keys", defaultValue = "256")
    int maxKeys;

    private RefusalRecorder recorder;

    @PostConstruct
    void init() {
        recorder = new RefusalRecorder("flag-api", window, maxKeys, this::store, currentActor, identities);
    }

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        boolean management = path.startsWith("/api/");
        // On the SDK endpoints only a valid key used beyond its kind is recorded (403); a missing or wrong key (401)
        // is what a misconfigured SDK sends all day.
        boolean keyBeyondItsKind = (path.startsWith("/sdk/") || path.startsWith("/ofrep/")) && response.getStatus() == 403;
        if (!management && !keyBeyondItsKind) {
            return Uni.createFrom().voidItem();
        }
        return recorder.onResponse(request, response.getStatus(), resource, Channel.API);
    }

    @Scheduled(every = "${flagledger.denials.flush-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushSummaries() {
        return recorder.flush();
    }

    private Uni<Void> store(List<AuditEvent> events) {
        return Panache.withTransaction(() -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (AuditEvent event : events) {
                String to = event.scope() != null && event.scope().path("status").asInt() == FreezeProblemMapper.LOCKED
                        ? flagChangesTopic : topic;
                chain = chain.chain(() -> outbox.append(event, to).replaceWithVoid());
            }
            return chain;
        });
    }

    int trackedKeys() {
        return recorder.trackedKeys();
    }
}
