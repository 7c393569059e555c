package io.flagledger.audit.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.ingest.OwnEvents;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Reads of the ledger are audited too, batched: each reader's queries are collected and, every
 * {@code flagledger.read-audit.interval}, written as one signed {@code audit.read} ledger event per reader
 * listing what was asked (the first {@value #MAX_LISTED} queries in full, then a count). A query becomes evidence
 * within one interval, and a dashboard polling every second costs one ledger entry per interval, not thousands.
 * What is not yet flushed when the process is killed (at most one interval) is lost; a clean shutdown flushes.
 */
@ApplicationScoped
public class ReadAudit {

    private static final Logger LOG = Logger.getLogger(ReadAudit.class);
    static final int MAX_LISTED = 50;
    /** Characters recorded per parameter at most. */
    static final int MAX_PARAMETER = 1024;

    private record Reader(Actor actor, RequestMetadata request, List<ObjectNode> queries, Instant since, int[] total) {
    }

    @Inject
    OwnEvents ownEvents;

    private final Map<String, Reader> pending = new LinkedHashMap<>();

    /** Notes one read: {@code what} names the endpoint, {@code parameters} what was asked. */
    public synchronized void read(Actor actor, RequestMetadata request, String what, Map<String, ?> parameters) {
        Reader r = pending.computeIfAbsent(actor.id(), id -> new Reader(actor, request, new ArrayList<>(), Instant.now(), new int[1]));
        r.total()[0]++;
        if (r.queries().size() < MAX_LISTED) {
            ObjectNode q = JsonNodeFactory.instance.objectNode().put("read", what).put("at", Instant.now().toString());
            ObjectNode p = q.putObject("parameters");
            parameters.forEach((k, v) -> {
                if (v != null && !v.toString().isBlank()) {
                    p.put(k, recorded(v.toString()));
                }
            });
            r.queries().add(q);
        }
    }

    /**
     * A parameter as recorded. The endpoints refuse control characters, lone surrogates and over-long values at the
     * edge (400); should one still arrive, it is percent-escaped and bounded rather than carried raw.
     */
    static String recorded(String value) {
        return SafeText.lineViolation(value) == null && value.length() <= MAX_PARAMETER
                ? value : EventText.escape(value, MAX_PARAMETER);
    }

    @Scheduled(every = "${flagledger.read-audit.interval:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return flush().onFailure().invoke(e -> LOG.errorf("Could not record audited reads: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    void onStop(@Observes ShutdownEvent event) {
        try {
            flush().await().atMost(java.time.Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.errorf("Audited reads of the last interval could not be recorded at shutdown: %s", e.getMessage());
        }
    }

    /** Writes one {@code audit.read} event per reader seen since the last flush. */
    public Uni<Void> flush() {
        List<Reader> readers;
        synchronized (this) {
            readers = new ArrayList<>(pending.values());
            pending.clear();
        }
        if (readers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<AuditEvent> events = new ArrayList<>();
        for (Reader r : readers) {
            ObjectNode state = JsonNodeFactory.instance.objectNode().put("reads", r.total()[0])
                    .put("since", r.since().toString());
            ArrayNode listed = state.putArray("queries");
            r.queries().forEach(listed::add);
            events.add(ownEvents.sign(r.actor().event(io.flagledger.audit.ingest.TrustedProducers.SELF, r.request())
                    .action("audit.read")
                    .correlationId("reads-" + r.actor().id() + "-" + r.since().toEpochMilli())
                    .reason(r.total()[0] + " read(s) of the audit ledger")
                    .newState(state)));
        }
        return ownEvents.append(events).replaceWithVoid();
    }
}
