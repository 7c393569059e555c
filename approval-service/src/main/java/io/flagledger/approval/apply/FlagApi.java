package io.flagledger.approval.apply;

import io.flagledger.contract.approval.ApprovalTokens;
import io.quarkus.oidc.client.filter.OidcClientFilter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * flag-api's flag and segment endpoints, called with this service's own identity: the OIDC client filter adds the
 * client-credentials token of {@code quarkus.oidc-client} (and refreshes it). Every status comes back as a
 * {@link Response} ({@code disable-default-mapper}) whose body {@link FlagApiClient} reads as text and maps. Writes are conditional
 * ({@code If-Match}) and carry the approval token.
 */
@RegisterRestClient(configKey = "flag-api")
@OidcClientFilter
@Path("/api/v1/projects/{project}")
public interface FlagApi {

    @GET
    @Path("/flags/{flag}")
    Response flag(@PathParam("project") String project, @PathParam("flag") String flag);

    @GET
    @Path("/environments/{environment}/segments/{segment}")
    Response segment(@PathParam("project") String project, @PathParam("environment") String environment,
            @PathParam("segment") String segment);

    @PUT
    @Path("/flags/{flag}/environments/{environment}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response writeEnvironment(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("environment") String environment,
            @HeaderParam("If-Match") String ifMatch,
            @HeaderParam("X-Correlation-Id") String correlationId,
            @HeaderParam(ApprovalTokens.HEADER) String approvalToken, String body);

    @PUT
    @Path("/environments/{environment}/segments/{segment}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response writeSegment(@PathParam("project") String project, @PathParam("environment") String environment,
            @PathParam("segment") String segment, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam("X-Correlation-Id") String correlationId,
            @HeaderParam(ApprovalTokens.HEADER) String approvalToken, String body);

    /** A metadata change: exactly the approved metadata. */
    @PATCH
    @Path("/flags/{flag}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response patchFlag(@PathParam("project") String project, @PathParam("flag") String flag,
            @HeaderParam("If-Match") String ifMatch,
            @HeaderParam("X-Correlation-Id") String correlationId,
            @HeaderParam(ApprovalTokens.HEADER) String approvalToken, String body);

    /** archive or restore. */
    @POST
    @Path("/flags/{flag}/{operation}")
    @Consumes(MediaType.APPLICATION_JSON)
    Response operate(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("operation") String operation, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam("X-Correlation-Id") String correlationId,
            @HeaderParam(ApprovalTokens.HEADER) String approvalToken, String body);
}
