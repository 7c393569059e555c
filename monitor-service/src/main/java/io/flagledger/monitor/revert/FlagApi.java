package io.flagledger.monitor.revert;

import io.quarkus.oidc.client.filter.OidcClientFilter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * flag-api's environment write, called with the monitor's own identity: the OIDC client filter adds the
 * client-credentials token of {@code quarkus.oidc-client} (and refreshes it). Every status comes back as a
 * {@link Response} ({@code disable-default-mapper}): the caller tells a revert from a 412 or a refusal.
 */
@RegisterRestClient(configKey = "flag-api")
@OidcClientFilter
@Path("/api/v1/projects/{project}/flags/{flag}/environments/{environment}")
public interface FlagApi {

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> writeEnvironment(@PathParam("project") String project, @PathParam("flag") String flag,
                                   @PathParam("environment") String environment, @HeaderParam("If-Match") String ifMatch,
                                   @HeaderParam("X-Correlation-Id") String correlationId,
                                   @HeaderParam(FlagApiClient.REVERT_OF_HEADER) String revertOf,
                                   @HeaderParam("X-Flagledger-Channel") String channel, String body);
}
