package io.flagledger.audit.selfcheck;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Lets an administrator run the self-check now (e.g. after an incident) instead of waiting for the schedule. */
@Path("/api/v1/audit/selfcheck")
@Produces(MediaType.APPLICATION_JSON)
public class SelfCheckResource {

    @Inject
    Pool pool;

    @Inject
    SelfCheck selfCheck;

    @POST
    @RolesAllowed("audit-admin")
    public Uni<SelfCheckReport> runNow() {
        return pool.withConnection(selfCheck::run);
    }
}
