package io.flagledger.flagapi.flags;

import io.flagledger.common.problem.Problem;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** flag-api's own failures: invalid configurations, and two writers racing on one flag environment (the loser learns it, nothing is overwritten). */
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
    public Response invalidConfig(InvalidConfigException e, UriInfo uri) {
        return Problem.of(400, "The flag configuration is invalid: " + e.errors().size() + " field(s) rejected")
                .withInstance(uri.getPath()).withErrors(e.errors()).toResponse();
    }

    private static Response conflict(UriInfo uri) {
        return Problem.of(412, "The flag changed while your change was being applied; reload and retry")
                .withInstance(uri.getPath()).toResponse();
    }
}
