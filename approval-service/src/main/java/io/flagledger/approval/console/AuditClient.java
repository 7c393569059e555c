package io.flagledger.approval.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;


/**
 * A flag's timeline from the audit ledger: its changes, approvals and monitor actions. It is read with the signed-in
 * person's own access token, never with this service's credentials: audit-service checks the person's roles and
 * records the person as the reader ({@code audit.read}).
 */
@ApplicationScoped
public class AuditClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One ledger entry, reduced to what a reader of the timeline needs. */
    public record Entry(String timestamp, String action, String source, String actor, String environment, String reason,
                        String correlationId) {
    }

    /** What audit-service answered: the entries, a refusal of this person (401/403), or nothing usable. */
    public enum Outcome { READ, REFUSED, UNAVAILABLE }

    public record Timeline(Outcome outcome, List<Entry> entries) {
        static Timeline of(Outcome outcome) {
            return new Timeline(outcome, List.of());
        }

        public boolean read() {
            return outcome == Outcome.READ;
        }

        public boolean refused() {
            return outcome == Outcome.REFUSED;
        }
    }

    @Inject
    @RestClient
    AuditApi auditApi;

    /** The timeline as {@code accessToken}'s person may read it; the console says so when it cannot. */
    public Timeline timeline(String accessToken, String project, String flag) {
        try {
            Response response = auditApi.events("Bearer " + accessToken, project, flag);
            if (response.getStatus() == 401 || response.getStatus() == 403) {
                return Timeline.of(Outcome.REFUSED);
            }
            if (response.getStatus() != 200) {
                return Timeline.of(Outcome.UNAVAILABLE);
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonNode item : JSON.readTree(response.readEntity(String.class)).path("items")) {
                JsonNode e = item.has("event") ? item.get("event") : item;
                entries.add(new Entry(e.path("timestamp").asText(), e.path("action").asText(), e.path("source_service").asText(),
                        e.path("actor_name").asText(e.path("actor_id").asText()), e.path("environment").asText(""),
                        e.path("reason").asText(""), e.path("correlation_id").asText("")));
            }
            return new Timeline(Outcome.READ, entries);
        } catch (IOException | RuntimeException e) {
            // unreachable, timed out (quarkus.rest-client.audit-service.*-timeout) or not the ledger's JSON
            return Timeline.of(Outcome.UNAVAILABLE);
        }
    }
}
