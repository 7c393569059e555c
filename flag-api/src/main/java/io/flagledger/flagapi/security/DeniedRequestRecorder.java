package io.flagledger.flagapi.security;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.flags.FlagRequests;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Refused management requests (401, 403) reach the ledger as signed events on {@code security.events}, written through
 * the outbox like any change, so the ledger shows attempts and not only successes; but an attacker's request rate must
 * not set the ledger's write rate. So the first denial per (client address, principal, status, endpoint template) is
 * recorded in full ({@code access.denied}); identical ones within {@code flagledger.denials.window} are counted and
 * reported as one {@code access.denied.summary} per key and window (see {@link DenialThrottle}). Nothing the caller
 * sends can skip recording: every value the caller chose is escaped, a header the contract cannot carry goes into
 * {@code scope} escaped. Evaluation endpoints are left out: a misconfigured SDK would otherwise flood the ledger.
 */
@ApplicationScoped
public class DeniedRequestRecorder {

    private static final Logger LOG = Logger.getLogger(DeniedRequestRecorder.class);
    static final String SUMMARY = "access.denied.summary";
    /** Endpoint of a refusal that matched no resource method. */
    static final String UNMATCHED = "(unmatched)";
    private static final int MAX_PATH = 512;

    @Inject
    Outbox outbox;

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

    private DenialThrottle throttle;

    @PostConstruct
    void init() {
        throttle = new DenialThrottle(window, maxKeys);
    }

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        int status = response.getStatus();
        String path = request.getUriInfo().getPath();
        if ((status != 401 && status != 403) || !path.startsWith("/api/")) {
            return Uni.createFrom().voidItem();
        }
        try {
            return recordDenial(request, status, path, endpoint(resource));
        } catch (RuntimeException e) {
            // Recording must never turn a 401/403 into a 500; log what we could not record, escaped.
            LOG.errorf("Could not record a denied request to %s: %s", SafeText.escape(path), e.getMessage());
            return Uni.createFrom().voidItem();
        }
    }

    private Uni<Void> recordDenial(ContainerRequestContext request, int status, String path, String endpoint) {
        String method = request.getMethod();
        RequestMetadata metadata = currentActor.refusedRequestMetadata(Channel.API);
        ObjectNode scope = JsonNodeFactory.instance.objectNode()
                .put("method", method).put("path", EventText.escape(path, MAX_PATH)).put("endpoint", endpoint).put("status", status);
        String channelHeader = currentActor.channelHeader();
        if (channelHeader != null) {
            scope.put("channel_header", channelHeader);
        }
        String correlation = request.getHeaderString("X-Correlation-Id");
        // Usable by the same rule as every endpoint's X-Correlation-Id (edge.CorrelationHeader).
        boolean usable = correlation != null && correlation.matches(FlagRequests.CORRELATION_PATTERN)
                && correlation.length() <= EventValidator.MAX_ID_LENGTH;
        if (correlation != null && !usable) {
            scope.put("correlation_header", EventText.escape(correlation, EventValidator.MAX_ID_LENGTH));
        }
        String correlationId = usable ? correlation : UuidV7.nextString();
        // The identity is resolved lazily; a bad token has none, and that denial is recorded as anonymous.
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(identity -> {
                    Actor actor = actorOf(identity);
                    DenialThrottle.Key key = new DenialThrottle.Key(String.valueOf(metadata.clientAddress()), actor.id(),
                            status, method, endpoint);
                    if (!throttle.admit(key, Instant.now())) {
                        return Uni.createFrom().voidItem();
                    }
                    AuditEvent denied = actor.event("flag-api", metadata).action("access.denied")
                            .scope(scope).correlationId(correlationId).build();
                    return Panache.withTransaction(() -> outbox.append(denied, topic)).replaceWithVoid();
                })
                .onFailure().invoke(e -> LOG.errorf("Could not record a denied request to %s: %s", SafeText.escape(path), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One signed summary per key whose window ended with suppressed denials; unwritten ones are kept for the next run. */
    @Scheduled(every = "${flagledger.denials.flush-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flushSummaries() {
        List<DenialThrottle.Summary> summaries = throttle.drain(Instant.now());
        if (summaries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (DenialThrottle.Summary summary : summaries) {
                        chain = chain.chain(() -> outbox.append(summaryEvent(summary), topic).replaceWithVoid());
                    }
                    return chain;
                })
                .onFailure().invoke(e -> {
                    LOG.errorf("Could not record %d denial summaries, keeping them for the next run: %s", summaries.size(), e.getMessage());
                    throttle.restore(summaries);
                })
                .onFailure().recoverWithNull();
    }

    private AuditEvent summaryEvent(DenialThrottle.Summary summary) {
        DenialThrottle.Key key = summary.key();
        boolean overflow = key.equals(DenialThrottle.Key.OVERFLOW);
        ObjectNode scope = JsonNodeFactory.instance.objectNode()
                .put("count", summary.count())
                .put("first_at", summary.first().toString())
                .put("last_at", summary.last().toString())
                .put("window_seconds", summary.window().toSeconds())
                .put("overflow", overflow);
        if (!overflow) {
            scope.put("method", key.method()).put("endpoint", key.endpoint()).put("status", key.status());
        }
        return AuditEvent.builder()
                .actorId(overflow ? "*" : key.principal())
                .actorType(ActorType.USER)
                .actorRoles(List.of())
                .sourceService("flag-api")
                .request(new RequestMetadata(null, overflow ? null : key.clientAddress(), null))
                .action(SUMMARY)
                .scope(scope)
                .correlationId(UuidV7.nextString())
                .build();
    }

    private Actor actorOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous()
                ? new Actor("anonymous", ActorType.USER, null, null, List.of())
                : currentActor.actorOf(identity);
    }

    /** The matched resource method's path template ("/api/v1/projects/{project}/flags/{key}"), never the raw path. */
    static String endpoint(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || resource.getResourceClass() == null) {
            return UNMATCHED;
        }
        Path classPath = resource.getResourceClass().getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        return (classPath == null ? "" : classPath.value()) + (methodPath == null ? "" : methodPath.value());
    }

    int trackedKeys() {
        return throttle.trackedKeys();
    }
}
