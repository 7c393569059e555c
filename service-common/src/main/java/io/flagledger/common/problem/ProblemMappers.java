package io.flagledger.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.flagledger.common.outbox.EventRefusedException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves a service as RFC 9457 problem+json. Clients get a useful message,
 * never a stack trace; unexpected failures are logged with an id the client can quote.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return Problem.of(e.status(), e.getMessage()).withInstance(uri.getPath()).toResponse();
    }

    /**
     * The change's own audit event broke the event contract: nothing was written (the outbox refused the row inside
     * the change's transaction). The client's input is what made it so, hence 4xx; the service's validation should
     * have said so earlier, hence the warning.
     */
    @ServerExceptionMapper
    public Response eventRefused(EventRefusedException e, UriInfo uri) {
        LOG.warnf("Refused a change on %s: its audit event breaks the event contract (%d violation(s))",
                uri.getPath(), e.violations().size());
        List<Problem.FieldError> errors = e.violations().stream().map(ProblemMappers::fieldError).toList();
        String detail = e.status() == 413 ? "The change is too large to be recorded in the audit ledger"
                : "The change cannot be recorded in the audit ledger: " + errors.size() + " field(s) rejected";
        return Problem.of(e.status(), detail).withInstance(uri.getPath()).withErrors(errors).toResponse();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldName(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .collect(Collectors.toList());
        return Problem.of(400, "The request is invalid: " + errors.size() + " field(s) rejected")
                .withInstance(uri.getPath()).withErrors(errors).toResponse();
    }

    @ServerExceptionMapper(priority = 1)
    public Response wrongType(InvalidFormatException e, UriInfo uri) {
        return wrongType(path(e), "has the wrong type or format", uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return wrongType(path(e), "has the wrong type", uri);
    }

    // The field goes into "errors" too, as for a validation failure, so a client finds it in the same place.
    private static Response wrongType(String field, String what, UriInfo uri) {
        if (field.isEmpty()) {
            return Problem.of(400, "The request body is missing or is not the expected JSON object").withInstance(uri.getPath())
                    .toResponse();
        }
        return Problem.of(400, "Field '" + field + "' " + what).withInstance(uri.getPath())
                .withErrors(List.of(new Problem.FieldError(field, what))).toResponse();
    }

    @ServerExceptionMapper(priority = 2)
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return Problem.of(400, "Malformed JSON" + where).withInstance(uri.getPath()).toResponse();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problem.of(403, "Your roles do not allow this operation").withInstance(uri.getPath()).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        // The JSON reader wraps parse errors; unwrap them so the client learns what was wrong.
        if (e.getCause() instanceof InvalidFormatException cause) {
            return wrongType(cause, uri);
        }
        if (e.getCause() instanceof MismatchedInputException cause) {
            return mismatched(cause, uri);
        }
        if (e.getCause() instanceof JsonProcessingException cause) {
            return malformed(cause, uri);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String detail = known == null ? "Request failed" : known.getReasonPhrase();
        return Problem.of(status, detail).withInstance(uri.getPath()).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", errorId, uri.getPath());
        return Problem.of(500, "Unexpected error; quote id " + errorId + " when reporting it")
                .withInstance(uri.getPath()).toResponse();
    }

    private static Response unauthenticated(UriInfo uri) {
        return Response.fromResponse(Problem.of(401, "A valid bearer token is required")
                .withInstance(uri.getPath()).toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** "reason: must be at most ..." -> (reason, must be at most ...), as EventValidator words every violation. */
    private static Problem.FieldError fieldError(String violation) {
        int colon = violation.indexOf(": ");
        return colon < 0 ? new Problem.FieldError("event", violation)
                : new Problem.FieldError(violation.substring(0, colon), violation.substring(colon + 2));
    }

    /** "toggle.arg0.reason" -> "reason": the method and parameter segments mean nothing to a client. */
    private static String fieldName(String propertyPath) {
        String[] parts = propertyPath.split("\\.");
        return parts.length <= 2 ? parts[parts.length - 1] : String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length));
    }
}
