package io.flagledger.approval.requests;

import static io.flagledger.approval.requests.Carriable.Kind.LINE;
import static io.flagledger.approval.requests.EdgeInput.MAX_CORRELATION_LENGTH;
import static io.flagledger.approval.requests.EdgeInput.MAX_LINE_LENGTH;

import io.flagledger.approval.policy.Party;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.approval.policy.Roles;
import io.flagledger.contract.approval.ApprovalClaims;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The change request API: what the console does, for CI pipelines too. Decisions require (428 without it) and edits
 * accept {@code If-Match: "<revision>"}, so that a person approves exactly the proposal they reviewed (412 otherwise).
 */
@Path("/api/v1/change-requests")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "change requests")
@Authenticated
public class ChangeRequestResource {

    public static final String CORRELATION_HEADER = "X-Correlation-Id";

    @Inject
    ChangeRequestService service;

    @Inject
    CurrentActor currentActor;

    @POST
    @Operation(summary = "File a change request", description = "For a flag's environment config (flag + config), a "
            + "segment's definition (segment + definition) or a flag-wide operation (flag + operation archive, restore or "
            + "metadata with metadata). The current state is read from flag-api; the diff is stored.")
    @APIResponse(responseCode = "201", description = "The change request, pending; ETag is its revision, Location its URL",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "flag-api has no such flag, segment or environment")
    @APIResponse(responseCode = "409", description = "The base version is not the current one, or the proposal changes nothing")
    @APIResponse(responseCode = "502", description = "flag-api answered with an error or could not be reached")
    @APIResponse(responseCode = "503", description = "Interrupted while calling flag-api")
    public Response create(@NotNull @Valid ChangeRequestApi.Create body,
                           @HeaderParam(CORRELATION_HEADER) @Carriable(value = LINE, max = MAX_CORRELATION_LENGTH)
                           String correlationHeader) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS);
        String correlation = firstNonBlank(body.correlationId(), correlationHeader);
        if (correlation == null) {
            throw ProblemException.badRequest("A correlation id (field correlationId or header " + CORRELATION_HEADER
                    + ", e.g. the CI run or ticket) is required");
        }
        ChangeRequest cr = service.create(currentActor.actor(), currentActor.requestMetadata(), proposal(body, correlation));
        return Response.created(URI.create("/api/v1/change-requests/" + cr.id())).entity(detail(cr))
                .tag(revisionTag(cr)).build();
    }

    /** Exactly one target: a flag with its config, a segment with its definition, or a flag-wide operation. */
    static ChangeRequestService.Proposal proposal(ChangeRequestApi.Create body, String correlation) {
        if (body.operation() != null) {
            if (body.flag() == null || body.segment() != null || body.config() != null || body.definition() != null
                    || body.environment() != null) {
                throw ProblemException.badRequest("An operation request names field 'flag' and no 'segment', "
                        + "'environment', 'config' or 'definition': it affects every environment of the flag");
            }
            return new ChangeRequestService.Proposal(body.project(), body.flag(), null, ApprovalClaims.ALL_ENVIRONMENTS,
                    body.baseVersion(), FlagOperation.proposal(body.operation(), body.metadata()), body.reason(), correlation);
        }
        if (body.metadata() != null) {
            throw ProblemException.badRequest("Field 'metadata' belongs to operation 'metadata'");
        }
        if (body.environment() == null || body.environment().isBlank()) {
            throw ProblemException.badRequest("Field 'environment' is required (or field 'operation' for a flag-wide change)");
        }
        if ((body.flag() == null) == (body.segment() == null)) {
            throw ProblemException.badRequest("Name exactly one target: field 'flag' (with 'config') or field 'segment' "
                    + "(with 'definition')");
        }
        if (body.segment() != null && body.config() != null) {
            throw ProblemException.badRequest("A segment change request proposes a 'definition', not a 'config'");
        }
        if (body.flag() != null && body.definition() != null) {
            throw ProblemException.badRequest("A flag change request proposes a 'config', not a 'definition'");
        }
        return new ChangeRequestService.Proposal(body.project(), body.flag(), body.segment(), body.environment(),
                body.baseVersion(), body.segment() != null ? body.definition() : body.config(), body.reason(), correlation);
    }

    @GET
    @Operation(summary = "List change requests", description = "mine=true: filed by me; awaitingMe=true: pending and mine to decide.")
    @APIResponse(responseCode = "400", description = "Unknown state, or limit out of range")
    @APIResponse(responseCode = "200", description = "Matching change requests, newest first",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Page.class)))
    public ChangeRequestApi.Page list(@QueryParam("state") @Carriable(value = LINE, max = MAX_LINE_LENGTH) String state,
                                      @QueryParam("project") @Carriable(value = LINE, max = MAX_LINE_LENGTH) String project,
                                      @QueryParam("flag") @Carriable(value = LINE, max = MAX_LINE_LENGTH) String flag,
                                      @QueryParam("segment") @Carriable(value = LINE, max = MAX_LINE_LENGTH) String segment,
                                      @QueryParam("environment") @Carriable(value = LINE, max = MAX_LINE_LENGTH) String environment,
                                      @QueryParam("mine") boolean mine, @QueryParam("awaitingMe") boolean awaitingMe,
                                      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(500) int limit) {
        Actor me = currentActor.actor();
        Roles.requireAnywhere(me, Roles.READERS);
        State s = parseState(state);
        List<ChangeRequest> found = service.list(new ChangeRequestStore.Filter(s, blankToNull(project), blankToNull(flag),
                blankToNull(segment), blankToNull(environment), mine ? me.id() : null, awaitingMe ? Party.of(me) : null, limit));
        // Scoped readers see their projects' requests only (a page may then hold fewer than limit).
        return new ChangeRequestApi.Page(found.stream().filter(cr -> Roles.mayRead(me, cr.project(), cr.environment()))
                .map(ChangeRequestApi.Summary::of).toList());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A change request with its diff, policy, approvals so far and decisions")
    @APIResponse(responseCode = "200", description = "The change request; ETag is its revision",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request")
    public Response get(@PathParam("id") String id) {
        Roles.requireAnywhere(currentActor.actor(), Roles.READERS);
        ChangeRequest cr = service.get(parseId(id));
        Roles.requireRead(currentActor.actor(), cr.project(), cr.environment());
        return Response.ok(detail(cr)).tag(revisionTag(cr)).build();
    }

    @POST
    @Path("/{id}/approvals")
    @Operation(summary = "Approve", description = "If-Match names the revision reviewed. Never by an author of any revision "
            + "(the requester, or whoever edited the proposal), never by a service identity, once per person.")
    @APIResponse(responseCode = "200", description = "The change request with the approval counted; ETag is its revision",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request")
    @APIResponse(responseCode = "403", description = "An author of a revision, a service identity, or an account without the "
            + "configured person claim")
    @APIResponse(responseCode = "409", description = "The request is not pending, or this person already decided")
    @APIResponse(responseCode = "412", description = "If-Match is not the request's current revision: review the new proposal first")
    @APIResponse(responseCode = "428", description = "No If-Match: name the revision you reviewed")
    public Response approve(@PathParam("id") String id, @Valid ChangeRequestApi.Decide body, @HeaderParam("If-Match") String ifMatch) {
        Roles.requireAnywhere(currentActor.actor(), Roles.APPROVERS);
        ChangeRequest cr = service.approve(parseId(id), currentActor.actor(), currentActor.requestMetadata(),
                parseRevision(ifMatch), body == null ? null : body.comment());
        return Response.ok(detail(cr)).tag(revisionTag(cr)).build();
    }

    @POST
    @Path("/{id}/rejections")
    @Operation(summary = "Reject", description = "If-Match names the revision reviewed; the same people as for approving.")
    @APIResponse(responseCode = "200", description = "The rejected change request; ETag is its revision",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request")
    @APIResponse(responseCode = "403", description = "An author of a revision, a service identity, or an account without the "
            + "configured person claim")
    @APIResponse(responseCode = "409", description = "The request is not pending, or this person already decided")
    @APIResponse(responseCode = "412", description = "If-Match is not the request's current revision: review the new proposal first")
    @APIResponse(responseCode = "428", description = "No If-Match: name the revision you reviewed")
    public Response reject(@PathParam("id") String id, @Valid ChangeRequestApi.Decide body, @HeaderParam("If-Match") String ifMatch) {
        Roles.requireAnywhere(currentActor.actor(), Roles.APPROVERS);
        ChangeRequest cr = service.reject(parseId(id), currentActor.actor(), currentActor.requestMetadata(),
                parseRevision(ifMatch), body == null ? null : body.comment());
        return Response.ok(detail(cr)).tag(revisionTag(cr)).build();
    }

    @POST
    @Path("/{id}/withdrawal")
    @Operation(summary = "Withdraw (requester only)")
    @APIResponse(responseCode = "200", description = "The withdrawn change request",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request")
    @APIResponse(responseCode = "409", description = "The request is no longer open")
    public Response withdraw(@PathParam("id") String id, @Valid ChangeRequestApi.Withdraw body) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS);
        ChangeRequest cr = service.withdraw(parseId(id), currentActor.actor(), currentActor.requestMetadata(),
                body == null ? null : body.reason());
        return Response.ok(detail(cr)).tag(revisionTag(cr)).build();
    }

    @PUT
    @Path("/{id}/proposal")
    @Operation(summary = "Edit or rebase the proposal", description = "A new revision: resets every approval given so far, "
            + "and its author (recorded in revisions) may no longer approve or reject the request.")
    @APIResponse(responseCode = "200", description = "The change request with the new proposal; approvals reset",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request, or flag-api has no such flag, segment or environment")
    @APIResponse(responseCode = "409", description = "The request is no longer open, or the base version is not the current one")
    @APIResponse(responseCode = "412", description = "If-Match is not the request's current revision")
    @APIResponse(responseCode = "502", description = "flag-api answered with an error or could not be reached")
    @APIResponse(responseCode = "503", description = "Interrupted while calling flag-api")
    public Response revise(@PathParam("id") String id, @NotNull @Valid ChangeRequestApi.Revise body,
                           @HeaderParam("If-Match") String ifMatch) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS_AND_APPROVERS);
        ChangeRequest cr = service.revise(parseId(id), currentActor.actor(), currentActor.requestMetadata(),
                parseRevision(ifMatch), body.config() != null ? body.config() : body.definition(), body.baseVersion(),
                body.comment());
        return Response.ok(detail(cr)).tag(revisionTag(cr)).build();
    }

    @POST
    @Path("/{id}/apply")
    @Operation(summary = "Ask for an approved change to be applied (policies with apply=requester)")
    @APIResponse(responseCode = "202", description = "Accepted: the approved change will be applied",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeRequestApi.Detail.class)))
    @APIResponse(responseCode = "404", description = "No such change request")
    @APIResponse(responseCode = "409", description = "The request is not approved")
    public Response apply(@PathParam("id") String id) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS);
        ChangeRequest cr = service.requestApply(parseId(id), currentActor.actor());
        return Response.accepted(detail(cr)).tag(revisionTag(cr)).build();
    }

    private ChangeRequestApi.Detail detail(ChangeRequest cr) {
        List<Decision> decisions = service.decisions(cr.id());
        return ChangeRequestApi.Detail.of(cr, service.revisions(cr.id()), decisions, service.tally(cr, decisions));
    }

    private static EntityTag revisionTag(ChangeRequest cr) {
        return new EntityTag(Integer.toString(cr.revision()));
    }

    static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No change request " + id);
        }
    }

    static Integer parseRevision(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(ifMatch.trim().replaceFirst("^W/", "").replace("\"", ""));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("If-Match must be the revision as an entity tag, e.g. \"2\"");
        }
    }

    static State parseState(String state) {
        if (state == null || state.isBlank()) {
            return null;
        }
        try {
            return State.of(state.trim());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Unknown state '" + state + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a.trim() : b != null && !b.isBlank() ? b.trim() : null;
    }
}
