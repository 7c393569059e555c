package io.flagledger.monitor.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.rules.MonitorConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.rest.client.inject.RestClient;

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

    @Inject
    @RestClient
    FlagApi flagApi;

    @Inject
    MonitorConfig config;

    @Inject
    ObjectMapper json;

    public Uni<Response> revert(FlagChange suspect, String rule) {
        ObjectNode body = json.createObjectNode();
        body.set("config", suspect.configBefore().orElseThrow());
        body.put("reason", "auto-revert: " + rule);
        body.put("correlationId", suspect.correlation());
        // the whole call (token and request) within flagledger.monitor.revert.timeout; a timeout fails the revert
        return flagApi.writeEnvironment(suspect.project(), suspect.flag(), suspect.environment(),
                        "\"" + suspect.newVersion() + "\"", suspect.correlation(), suspect.eventId(), "automation", body.toString())
                .ifNoItem().after(config.revert().timeout()).fail()
                .map(r -> new Response(r.getStatus(), r.hasEntity() ? r.readEntity(String.class) : null));
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
}
