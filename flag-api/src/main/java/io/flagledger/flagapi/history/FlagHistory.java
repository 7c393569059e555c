package io.flagledger.flagapi.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.flagapi.outbox.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A flag's events, from the event store (the outbox table keeps every event, published or not), and its state
 * rebuilt from them alone. Replaying to now must give what the projection holds; a test checks it.
 */
@ApplicationScoped
public class FlagHistory {

    @ConfigProperty(name = "flagledger.topics.flag-changes")
    String flagChangesTopic;

    /** Every event of the flag in the order it was committed. */
    @WithSession
    public Uni<List<AuditEvent>> events(String project, String key) {
        return OutboxEvent.<OutboxEvent>find("topic = ?1 and messageKey = ?2 order by id", flagChangesTopic, project + "/" + key)
                .list()
                .map(rows -> rows.stream().map(row -> EventJson.parse(row.payload)).toList());
    }

    /** The flag as it was at {@code at} (inclusive), in the shape of the flag read endpoint. */
    public Uni<JsonNode> stateAt(String project, String key, Instant at) {
        return events(project, key).map(events -> {
            if (events.isEmpty()) {
                throw ProblemException.notFound("Flag '" + key + "' does not exist in project '" + project + "'");
            }
            return replay(events, at);
        });
    }

    /** Folds events into the flag's state; {@code flag.created} carries the whole flag, later events one environment. */
    static JsonNode replay(List<AuditEvent> events, Instant at) {
        ObjectNode state = null;
        for (AuditEvent event : events) {
            if (event.timestamp().isAfter(at)) {
                break;
            }
            if (event.environment() == null) {
                state = (ObjectNode) event.newState().deepCopy();
                continue;
            }
            if (state == null) {
                throw new IllegalStateException("event " + event.eventId() + " precedes the flag's creation");
            }
            apply(state, event);
        }
        if (state == null) {
            throw ProblemException.notFound("Flag '" + events.get(0).flagId() + "' did not exist at " + at);
        }
        return state;
    }

    private static void apply(ObjectNode flag, AuditEvent event) {
        for (JsonNode node : (ArrayNode) flag.path("environments")) {
            ObjectNode environment = (ObjectNode) node;
            if (event.environment().equals(environment.path("environment").asText())) {
                ObjectNode config = event.newState().deepCopy();
                environment.set("version", config.remove("version"));
                environment.set("enabled", config.path("enabled"));
                environment.set("config", config);
                return;
            }
        }
        throw new IllegalStateException("event " + event.eventId() + " names unknown environment " + event.environment());
    }
}
