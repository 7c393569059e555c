package io.flagledger.audit.selfcheck;

import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.SafeText;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Lets an administrator run the self-check now (e.g. after an incident) instead of waiting for the schedule: a full
 * scan unless {@code scope=incremental}; {@code columns=false} checks only the Merkle part (payloads against leaf
 * hashes, tree nodes, checkpoints) and records no verified point.
 */
@Path("/api/v1/audit/selfcheck")
@Produces(MediaType.APPLICATION_JSON)
public class SelfCheckResource {

    @Inject
    SelfCheck selfCheck;

    @POST
    @RolesAllowed("audit-admin")
    @APIResponse(responseCode = "400", description = "scope is not full or incremental, or columns is not true or false")
    @APIResponse(responseCode = "409", description = "A self-check (scheduled or requested) is already running on this replica")
    @APIResponse(responseCode = "200", description = "The run's report: scope, entries read, every problem found",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SelfCheckReport.class)))
    public Uni<SelfCheckReport> runNow(@QueryParam("scope") String scope, @QueryParam("columns") String columns) {
        SelfCheck.Scope s = scope == null ? SelfCheck.Scope.FULL : switch (scope) {
            case "full" -> SelfCheck.Scope.FULL;
            case "incremental" -> SelfCheck.Scope.INCREMENTAL;
            default -> throw ProblemException.badRequest("scope must be full or incremental, not '" + quoted(scope) + "'");
        };
        boolean c = columns == null || switch (columns) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.badRequest("columns must be true or false, not '" + quoted(columns) + "'");
        };
        return selfCheck.requested(s, c);
    }

    /** A refused value is echoed escaped and short: it may hold control characters. */
    private static String quoted(String value) {
        String escaped = SafeText.escape(value);
        if (escaped.length() <= 64) {
            return escaped;
        }
        int cut = Character.isHighSurrogate(escaped.charAt(63)) ? 63 : 64; // never half a pair
        return escaped.substring(0, cut) + "...";
    }
}
