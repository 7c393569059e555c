package io.flagledger.approval.security;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.outbox.OutboxRecord;
import io.flagledger.common.security.RefusalRecorder;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventSigner;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
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
 * approval-service's refused requests in the ledger: a wrong role, an approver approving their own work, a decision
 * without the revision it was made on (428). The API and the console alike, through the shared
 * {@link RefusalRecorder} and this service's outbox (on {@code security.events}).
 */
@ApplicationScoped
public class RefusedRequestRecorder {

    @Inject
    Pool pool;

    @Inject
    EventSigner signer;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    CurrentActor currentActor;

    @ConfigProperty(name = "flagledger.topics.security-events")
    String topic;

    @ConfigProperty(name = "flagledger.denials.window", defaultValue = "60s")
    Duration window;

    @ConfigProperty(name = "flagledger.denials.max-keys", defaultValue = "256")
    int maxKeys;

    private RefusalRecorder recorder;

    @PostConstruct
    void init() {
        recorder = new RefusalRecorder("approval-service", window, maxKeys, this::store, currentActor, identities);
    }

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        Channel channel = path.startsWith("/api/") ? Channel.API : path.startsWith("/console") ? Channel.CONSOLE : null;
        if (channel == null) {
            return Uni.createFrom().voidItem();
        }
        return recorder.onResponse(request, response.getStatus(), resource, channel);
    }

    @Scheduled(every = "${flagledger.denials.flush-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushSummaries() {
        return recorder.flush();
    }

    private Uni<Void> store(List<AuditEvent> events) {
        List<Tuple> rows = events.stream().map(e -> Tuple.from(OutboxRecord.sign(signer, e, topic).values())).toList();
        return pool.withTransaction(c -> c.preparedQuery(OutboxRecord.INSERT).executeBatch(rows)).replaceWithVoid();
    }
}
