package io.flagledger.approval.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A flag's timeline from the audit ledger: its changes, approvals and monitor actions. It is read with the signed-in
 * person's own access token, never with this service's credentials: audit-service checks the person's roles and
 * records the person as the reader ({@code audit.read}).
 */
@ApplicationScoped
public class AuditClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

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

    @ConfigProperty(name = "flagledger.audit-service.url")
    String baseUrl;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** The timeline as {@code accessToken}'s person may read it; the console says so when it cannot. */
    public Timeline timeline(String accessToken, String project, String flag) {
        try {
            URI uri = URI.create(baseUrl.replaceAll("/+$", "") + "/api/v1/audit/events?project=" + enc(project)
                    + "&flag=" + enc(flag));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                return Timeline.of(Outcome.REFUSED);
            }
            if (response.statusCode() != 200) {
                return Timeline.of(Outcome.UNAVAILABLE);
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonNode item : JSON.readTree(response.body()).path("items")) {
                JsonNode e = item.has("event") ? item.get("event") : item;
                entries.add(new Entry(e.path("timestamp").asText(), e.path("action").asText(), e.path("source_service").asText(),
                        e.path("actor_name").asText(e.path("actor_id").asText()), e.path("environment").asText(""),
                        e.path("reason").asText(""), e.path("correlation_id").asText("")));
            }
            return new Timeline(Outcome.READ, entries);
        } catch (IOException | RuntimeException e) {
            return Timeline.of(Outcome.UNAVAILABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Timeline.of(Outcome.UNAVAILABLE);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
