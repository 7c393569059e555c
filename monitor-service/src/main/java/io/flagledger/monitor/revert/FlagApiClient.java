package io.flagledger.monitor.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.rules.MonitorConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a flag's previous configuration back through flag-api with the monitor's own identity (client
 * credentials of the {@code monitor-service} client: roles automation and flag-reverter, nothing else). flag-api lets it write a
 * protected environment without an approval only for exactly the reverted event ({@value #REVERT_OF_HEADER}) and
 * only while the flag is still at that event's version ({@code If-Match}).
 */
@ApplicationScoped
public class FlagApiClient {

    public static final String REVERT_OF_HEADER = "X-Flagledger-Revert-Of";

    /** flag-api's answer: its status and body. */
    public record Response(int status, String body) {
    }

    private static final Logger LOG = Logger.getLogger(FlagApiClient.class);

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<Tokens> tokens = new AtomicReference<>();

    @Inject
    OidcClient oidc;

    @Inject
    MonitorConfig config;

    @Inject
    ObjectMapper json;

    public Uni<Response> revert(FlagChange suspect, String rule) {
        ObjectNode body = json.createObjectNode();
        body.set("config", suspect.configBefore().orElseThrow());
        body.put("reason", "auto-revert: " + rule);
        body.put("correlationId", suspect.correlation());
        URI uri = URI.create(config.revert().flagApiUrl().replaceAll("/+$", "") + "/api/v1/projects/" + encode(suspect.project())
                + "/flags/" + encode(suspect.flag()) + "/environments/" + encode(suspect.environment()));
        return accessToken().chain(token -> {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(config.revert().timeout())
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("If-Match", "\"" + suspect.newVersion() + "\"")
                    .header("X-Correlation-Id", suspect.correlation())
                    .header(REVERT_OF_HEADER, suspect.eventId())
                    .header("X-Flagledger-Channel", "automation")
                    .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }).map(r -> new Response(r.statusCode(), r.body()));
    }

    /** The version flag-api answered with, when the body is an environment view. */
    public long version(Response response) {
        try {
            JsonNode view = json.readTree(response.body());
            return view.path("version").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Fetches the first token in the background at start-up, so the first revert does not wait for the identity
     * provider; if it is not reachable yet, the first revert fetches one.
     */
    void warmUp(@Observes StartupEvent started) {
        accessToken().subscribe().with(token -> LOG.debug("flag-api token ready"),
                e -> LOG.infof("No token for flag-api yet (%s); the first revert will fetch one", e.getMessage()));
    }

    // Client-credentials tokens are reused until they expire rather than fetched for every revert.
    private Uni<String> accessToken() {
        Tokens current = tokens.get();
        if (current != null && !current.isAccessTokenExpired() && !current.isAccessTokenWithinRefreshInterval()) {
            return Uni.createFrom().item(current.getAccessToken());
        }
        return oidc.getTokens().invoke(tokens::set).map(Tokens::getAccessToken);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
