package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/** flag-api, as far as the CLI uses it (see FlagResource, SegmentResource and the freeze API). */
@Path("/api/v1/projects/{project}")
public interface FlagApi {

    @GET
    @Path("/flags")
    Response flags(@PathParam("project") String project, @QueryParam("cursor") String cursor, @QueryParam("limit") int limit);

    @GET
    @Path("/flags/{key}")
    Response flag(@PathParam("project") String project, @PathParam("key") String key);

    @POST
    @Path("/flags")
    Response create(@PathParam("project") String project, @HeaderParam("X-Correlation-Id") String correlationId, JsonNode body);

    @PATCH
    @Path("/flags/{key}")
    Response updateMetadata(@PathParam("project") String project, @PathParam("key") String key,
                            @HeaderParam("If-Match") String ifMatch, @HeaderParam("X-Correlation-Id") String correlationId,
                            JsonNode body);

    @PUT
    @Path("/flags/{key}/environments/{environment}")
    Response updateEnvironment(@PathParam("project") String project, @PathParam("key") String key,
                               @PathParam("environment") String environment, @HeaderParam("If-Match") String ifMatch,
                               @HeaderParam("X-Correlation-Id") String correlationId, JsonNode body);

    @GET
    @Path("/environments/{environment}/segments")
    Response segments(@PathParam("project") String project, @PathParam("environment") String environment);

    @PUT
    @Path("/environments/{environment}/segments/{key}")
    Response putSegment(@PathParam("project") String project, @PathParam("environment") String environment,
                        @PathParam("key") String key, @HeaderParam("If-Match") String ifMatch,
                        @HeaderParam("X-Correlation-Id") String correlationId, JsonNode body);

    @GET
    @Path("/freezes")
    Response freezes(@PathParam("project") String project);

    @POST
    @Path("/freezes")
    Response freeze(@PathParam("project") String project, JsonNode body);

    @POST
    @Path("/freezes/{id}/lift")
    Response lift(@PathParam("project") String project, @PathParam("id") String id, JsonNode body);
}
