package io.flagledger.flagapi.flags;

import io.flagledger.common.problem.Problem;
import io.flagledger.flagapi.edge.RefusedInputException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** flag-api's own failures: refused input (invalid configurations, values no event can carry, over-budget changes), and two writers racing on one flag environment (the loser learns it, nothing is overwritten). */
public class FlagProblemMappers {

    @ServerExceptionMapper
    public Response stale(StaleStateException e, UriInfo uri) {
        return conflict(uri);
    }

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e, UriInfo uri) {
        return conflict(uri);
    }

    @ServerExceptionMapper
    public Response refused(RefusedInputException e, UriInfo uri) {
        return e.problem(uri.getPath()).toResponse();
    }

    private static Response conflict(UriInfo uri) {
        return Problem.of(412, "The flag changed while your change was being applied; reload and retry")
                .withInstance(uri.getPath()).toResponse();
    }
}
