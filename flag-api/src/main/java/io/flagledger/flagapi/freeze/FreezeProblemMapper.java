package io.flagledger.flagapi.freeze;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.problem.Problem;
import io.flagledger.common.security.RefusalEvents;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A frozen write is 423 Locked, problem+json of type {@value #TYPE} with the freeze named in {@code freeze}, so a
 * client (the CLI, approval-service) can tell it from any other refusal and say who froze what, why. The refusal's
 * ledger event ({@link RefusalEvents}) names the freeze, the project and the environment too.
 */
public class FreezeProblemMapper {

    public static final String TYPE = "https://flagledger.dev/problems/frozen";
    public static final int LOCKED = 423;

    /** RFC 9457 members plus the freeze. */
    public record FrozenProblem(String type, String title, int status, String detail, String instance, FreezeView.Ref freeze) {
    }

    @ServerExceptionMapper
    public Response frozen(FrozenException e, UriInfo uri, ContainerRequestContext request) {
        Freeze f = e.freeze();
        ObjectNode named = JsonNodeFactory.instance.objectNode().put("id", f.id.toString()).put("reason", f.reason)
                .put("set_by", f.setBy).put("set_at", f.setAt.toString());
        named.put("environment", f.environment);
        request.setProperty(RefusalEvents.SUBJECT_PROPERTY,
                new RefusalEvents.Subject(f.project, e.flag(), e.environment(), "freeze", named));
        return Response.status(LOCKED).type(Problem.MEDIA_TYPE)
                .entity(new FrozenProblem(TYPE, "Locked", LOCKED, e.getMessage(), uri.getPath(), FreezeView.Ref.of(f)))
                .build();
    }
}
