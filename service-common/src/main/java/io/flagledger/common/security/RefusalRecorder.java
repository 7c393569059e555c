package io.flagledger.common.security;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Refused requests reach the ledger as signed events on {@code security.events}, written through the service's outbox
 * like any change, so the ledger shows attempts and not only successes; but an attacker's request rate must not set
 * the ledger's write rate. So the first refusal per (client address, principal, status, endpoint template) is recorded
 * in full ({@link RefusalEvents#DENIED}); identical ones within the window are counted and reported as one
 * {@link RefusalEvents#SUMMARY} per key and window ({@link DenialThrottle}). Each service calls {@link #onResponse}
 * from its response filter and {@link #flush} from a scheduled job, and says how it stores events ({@link Store}).
 * Recording never changes the answer: a failure to record is logged, escaped.
 */
public final class RefusalRecorder {

    private static final Logger LOG = Logger.getLogger(RefusalRecorder.class);

    /** Writes signed-to-be events to the service's outbox, in one transaction. */
    @FunctionalInterface
    public interface Store {
        Uni<Void> write(List<AuditEvent> events);
    }

    private final String service;
    private final DenialThrottle throttle;
    private final Store store;
    private final CurrentActor currentActor;
    private final CurrentIdentityAssociation identities;

    public RefusalRecorder(String service, Duration window, int maxKeys, Store store, CurrentActor currentActor,
                           CurrentIdentityAssociation identities) {
        this.service = service;
        this.throttle = new DenialThrottle(window, maxKeys);
        this.store = store;
        this.currentActor = currentActor;
        this.identities = identities;
    }

    /** Records the response when its status is a refusal ({@link RefusalEvents#RECORDED_STATUSES}). */
    public Uni<Void> onResponse(ContainerRequestContext request, int status, ResourceInfo resource, Channel channel) {
        if (!RefusalEvents.RECORDED_STATUSES.contains(status)) {
            return Uni.createFrom().voidItem();
        }
        String path = request.getUriInfo().getPath();
        try {
            return record(request, status, path, RefusalEvents.endpoint(resource), channel);
        } catch (RuntimeException e) {
            LOG.errorf("Could not record a refused request to %s: %s", SafeText.escape(path), e.getMessage());
            return Uni.createFrom().voidItem();
        }
    }

    private Uni<Void> record(ContainerRequestContext request, int status, String path, String endpoint, Channel channel) {
        String method = request.getMethod();
        RequestMetadata metadata = currentActor.refusedRequestMetadata(channel);
        RefusalEvents.Refusal refusal = new RefusalEvents.Refusal(method, path, endpoint, status,
                currentActor.channelHeader(), request.getHeaderString("X-Correlation-Id"));
        // The identity is resolved lazily; a bad token has none, and that refusal is recorded as anonymous.
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(identity -> {
                    Actor actor = actorOf(identity);
                    DenialThrottle.Key key = new DenialThrottle.Key(String.valueOf(metadata.clientAddress()), actor.id(),
                            status, method, endpoint);
                    if (!throttle.admit(key, Instant.now())) {
                        return Uni.createFrom().voidItem();
                    }
                    Object subject = request.getProperty(RefusalEvents.SUBJECT_PROPERTY);
                    return store.write(List.of(RefusalEvents.denied(service, actor, metadata, refusal,
                            subject instanceof RefusalEvents.Subject s ? s : null)));
                })
                .onFailure().invoke(e -> LOG.errorf("Could not record a refused request to %s: %s", SafeText.escape(path), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One signed summary per key whose window ended with suppressed refusals; unwritten ones are kept for the next run. */
    public Uni<Void> flush() {
        List<DenialThrottle.Summary> summaries = throttle.drain(Instant.now());
        if (summaries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.write(summaries.stream().map(s -> RefusalEvents.summary(service, s)).toList())
                .onFailure().invoke(e -> {
                    LOG.errorf("Could not record %d refusal summaries, keeping them for the next run: %s", summaries.size(), e.getMessage());
                    throttle.restore(summaries);
                })
                .onFailure().recoverWithNull();
    }

    public int trackedKeys() {
        return throttle.trackedKeys();
    }

    private Actor actorOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? RefusalEvents.anonymous() : currentActor.actorOf(identity);
    }
}
