package io.flagledger.approval.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.oidc.client.OidcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** A flag's timeline from the audit ledger: its changes, approvals and monitor actions. */
@ApplicationScoped
public class AuditClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** One ledger entry, reduced to what a reader of the timeline needs. */
    public record Entry(String timestamp, String action, String source, String actor, String environment, String reason,
                        String correlationId) {
    }

    @ConfigProperty(name = "flagledger.audit-service.url")
    String baseUrl;

    @Inject
    OidcClient oidc;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** Empty when audit-service cannot answer; the console then says so instead of failing the page. */
    public Optional<List<Entry>> timeline(String project, String flag) {
        try {
            URI uri = URI.create(baseUrl.replaceAll("/+$", "") + "/api/v1/audit/events?project=" + enc(project)
                    + "&flag=" + enc(flag));
            String token = oidc.getTokens().await().atMost(TIMEOUT).getAccessToken();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonNode item : JSON.readTree(response.body()).path("items")) {
                JsonNode e = item.has("event") ? item.get("event") : item;
                entries.add(new Entry(e.path("timestamp").asText(), e.path("action").asText(), e.path("source_service").asText(),
                        e.path("actor_name").asText(e.path("actor_id").asText()), e.path("environment").asText(""),
                        e.path("reason").asText(""), e.path("correlation_id").asText("")));
            }
            return Optional.of(entries);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
