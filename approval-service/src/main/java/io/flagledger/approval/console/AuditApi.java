package io.flagledger.approval.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import jakarta.ws.rs.core.Response;

/**
 * audit-service's ledger query. Deliberately without the OIDC client filter: the caller passes the signed-in person's
 * own bearer token, so audit-service checks that person's roles and records that person as the reader. Every status
 * comes back as a {@link Response} ({@code disable-default-mapper}).
 */
@RegisterRestClient(configKey = "audit-service")
@Path("/api/v1/audit/events")
public interface AuditApi {

    @GET
    Response events(@HeaderParam("Authorization") String authorization, @QueryParam("project") String project,
                                @QueryParam("flag") String flag);
}
