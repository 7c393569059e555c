package io.flagledger.approval.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * audit-service's ledger query. Deliberately without the OIDC client filter: the caller passes the signed-in person's
 * own bearer token, so audit-service checks that person's roles and records that person as the reader. Every status
 * comes back as a {@link RestResponse} ({@code disable-default-mapper}).
 */
@RegisterRestClient(configKey = "audit-service")
@Path("/api/v1/audit/events")
public interface AuditApi {

    @GET
    RestResponse<String> events(@HeaderParam("Authorization") String authorization, @QueryParam("project") String project,
                                @QueryParam("flag") String flag);
}
