package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** approval-service's change requests (ChangeRequestResource). */
@Path("/api/v1/change-requests")
public interface ApprovalApi {

    @POST
    Response file(JsonNode body);

    @GET
    @Path("/{id}")
    Response get(@PathParam("id") String id);
}
