package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.RestQuery;

/** audit-service's queries, exports, proofs and checkpoints. */
@Path("/api/v1/audit")
public interface AuditApi {

    @GET
    @Path("/events")
    Response events(@RestQuery Map<String, String> filter);

    @GET
    @Path("/events/{id}")
    Response event(@PathParam("id") String id, @QueryParam("tree_size") Long treeSize);

    @GET
    @Path("/flags/{project}/{flag}/timeline")
    Response timeline(@PathParam("project") String project, @PathParam("flag") String flag,
                      @QueryParam("cursor") Long cursor, @QueryParam("limit") Integer limit);

    @POST
    @Path("/exports")
    @Produces({"application/zip", "application/problem+json"})
    Response export(JsonNode request);

    @GET
    @Path("/checkpoints/latest")
    @Produces("text/plain")
    Response latestCheckpoint(@HeaderParam("Accept") String accept);
}
