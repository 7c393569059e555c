package io.flagledger.approval.console;

import io.flagledger.approval.policy.Party;
import io.flagledger.approval.policy.Tally;
import io.flagledger.approval.requests.ChangeRequest;
import io.flagledger.approval.requests.ChangeRequestService;
import io.flagledger.approval.requests.ChangeRequestStore;
import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.approval.requests.Decision;
import io.flagledger.approval.requests.EdgeInput;
import io.flagledger.approval.requests.Revision;
import io.flagledger.contract.diff.RuleOrder;
import io.flagledger.approval.requests.State;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.Channel;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.flagledger.approval.policy.Roles;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The web console: server-rendered pages (Qute escapes every value) for people who review changes.
 * Sign-in is the OIDC authorization code flow with PKCE (tenant {@code console}); every form carries a CSRF
 * token, and decisions go through the same service and separation-of-duty checks as the API.
 */
@Path("/console")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {

    private static final int PAGE = 200;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance inbox(Actor me, List<ChangeRequest> awaiting, List<ChangeRequest> mine);

        static native TemplateInstance history(Actor me, List<ChangeRequest> requests, Filters filters, List<String> states);

        static native TemplateInstance request(Actor me, ChangeRequest cr, List<ConfigDiff.Line> diff,
                                               List<RuleOrder.Step> rulesBefore, List<RuleOrder.Step> rulesAfter, Tally tally,
                                               Revision current, List<Revision> revisions, List<Decision> decisions,
                                               boolean mayDecide, String notice, String commentError);

        static native TemplateInstance timeline(Actor me, String project, String flag, List<ChangeRequest> requests,
                                                boolean mayReadLedger, AuditClient.Timeline ledger);

        static native TemplateInstance forbidden(Actor me);
    }

    /** The history filters, echoed back into the form. */
    public record Filters(String state, String project, String flag, String segment, String environment) {
    }

    @Inject
    ChangeRequestService service;

    @Inject
    CurrentActor currentActor;

    @Inject
    AuditClient audit;

    /** The signed-in person's access token (code flow), forwarded when the console reads the ledger for them. */
    @Inject
    AccessTokenCredential accessToken;

    /** An account of the realm without any Flagledger role: refused with a page that says why. */
    static final class NoFlagledgerRole extends RuntimeException {
        private final transient Actor actor;

        NoFlagledgerRole(Actor actor) {
            super(null, null, false, false);
            this.actor = actor;
        }
    }

    @ServerExceptionMapper
    Response noRole(NoFlagledgerRole e) {
        return Response.status(403).type(MediaType.TEXT_HTML_TYPE).entity(Templates.forbidden(e.actor).render()).build();
    }

    /** Every console read goes through here: change requests and their diffs are for Flagledger's users only. */
    private Actor reader() {
        Actor me = currentActor.actor();
        if (!ConsoleExtensions.mayRead(me)) {
            throw new NoFlagledgerRole(me);
        }
        return me;
    }

    @GET
    public TemplateInstance inbox() {
        Actor me = reader();
        return Templates.inbox(me,
                visible(me, service.list(new ChangeRequestStore.Filter(null, null, null, null, null, null, Party.of(me), PAGE))),
                visible(me, service.list(new ChangeRequestStore.Filter(null, null, null, null, null, me.id(), null, PAGE))));
    }

    @GET
    @Path("/history")
    public TemplateInstance history(@QueryParam("state") String state, @QueryParam("project") String project,
                                    @QueryParam("flag") String flag, @QueryParam("segment") String segment,
                                    @QueryParam("environment") String environment) {
        Actor me = reader();
        requireFilters(state, project, flag, segment, environment);
        State s = state == null || state.isBlank() ? null : parseState(state);
        Filters filters = new Filters(state, project, flag, segment, environment);
        return Templates.history(me, visible(me, service.list(new ChangeRequestStore.Filter(s,
                blank(project), blank(flag), blank(segment), blank(environment), null, null, PAGE))), filters,
                Arrays.stream(State.values()).map(State::wire).toList());
    }

    @GET
    @Path("/requests/{id}")
    public TemplateInstance request(@PathParam("id") String id, @QueryParam("notice") String notice) {
        Actor me = reader();
        ChangeRequest cr = service.get(parseId(id));
        Roles.requireRead(me, cr.project(), cr.environment());
        return page(cr, notice);
    }

    @POST
    @Path("/requests/{id}/approve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response approve(@PathParam("id") String id, @FormParam("revision") Integer revision,
                            @FormParam("comment") String comment) {
        Roles.requireAnywhere(currentActor.actor(), Roles.APPROVERS);
        UUID uuid = parseId(id);
        Response refused = refusedComment(uuid, comment);
        if (refused != null) {
            return refused;
        }
        service.approve(uuid, currentActor.actor(), currentActor.requestMetadata(Channel.CONSOLE), revision, trim(comment));
        return seeOther(uuid, "approved");
    }

    @POST
    @Path("/requests/{id}/reject")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reject(@PathParam("id") String id, @FormParam("revision") Integer revision,
                           @FormParam("comment") String comment) {
        Roles.requireAnywhere(currentActor.actor(), Roles.APPROVERS);
        UUID uuid = parseId(id);
        Response refused = refusedComment(uuid, comment);
        if (refused != null) {
            return refused;
        }
        service.reject(uuid, currentActor.actor(), currentActor.requestMetadata(Channel.CONSOLE), revision, trim(comment));
        return seeOther(uuid, "rejected");
    }

    @GET
    @Path("/flags/{project}/{flag}")
    public TemplateInstance timeline(@PathParam("project") String project, @PathParam("flag") String flag) {
        Actor me = reader();
        requireFilters(project, flag);
        if (!Roles.mayReadProject(me, project)) {
            throw ProblemException.forbidden("Your roles do not reach project " + project);
        }
        // read as the person (audit-service checks their roles and records them as the reader), and only when they
        // may read the ledger at all: no call is made on their behalf that audit-service would have to refuse
        boolean mayReadLedger = ConsoleExtensions.mayReadLedger(me);
        AuditClient.Timeline ledger = mayReadLedger ? audit.timeline(accessToken.getToken(), project, flag) : null;
        return Templates.timeline(me, project, flag,
                visible(me, service.list(new ChangeRequestStore.Filter(null, project, flag, null, null, null, null, PAGE))),
                mayReadLedger, ledger);
    }

    /** A comment no event can carry: the page again (400) with the error next to the comment, nothing recorded. */
    private Response refusedComment(UUID id, String comment) {
        String violation = EdgeInput.text(trim(comment), EdgeInput.MAX_TEXT_LENGTH);
        return violation == null ? null : Response.status(400).type(MediaType.TEXT_HTML_TYPE)
                .entity(page(service.get(id), null, "The comment " + violation + ".")).build();
    }

    private TemplateInstance page(ChangeRequest cr, String notice) {
        return page(cr, notice, null);
    }

    private TemplateInstance page(ChangeRequest cr, String notice, String commentError) {
        Actor me = currentActor.actor();
        List<Decision> decisions = service.decisions(cr.id());
        List<Revision> revisions = service.revisions(cr.id());
        Revision current = revisions.stream().filter(r -> r.revision() == cr.revision()).findFirst().orElse(null);
        boolean mayDecide = service.mayDecide(cr, me, revisions, decisions);
        String message = "filed".equals(notice) ? "Your change request was filed."
                : "approved".equals(notice) ? "Your approval was recorded."
                : "rejected".equals(notice) ? "Your rejection was recorded." : null;
        return Templates.request(me, cr, cr.diff(), RuleOrder.of(cr.previousConfig()), RuleOrder.of(cr.proposedConfig()),
                service.tally(cr, decisions), current, revisions, decisions, mayDecide, message, commentError);
    }

    /** Scoped readers see only their projects' and environments' requests. */
    private static List<ChangeRequest> visible(Actor me, List<ChangeRequest> requests) {
        return requests.stream().filter(cr -> Roles.mayRead(me, cr.project(), cr.environment())).toList();
    }

    /** Post/redirect/get: a reload never repeats a decision. */
    private static Response seeOther(UUID id, String notice) {
        return Response.seeOther(URI.create("/console/requests/" + id + "?notice=" + notice)).build();
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No change request " + id);
        }
    }

    /** Filters reach SQL: text PostgreSQL refuses (NUL) is a 400, not a failed query. */
    private static void requireFilters(String... values) {
        for (String value : values) {
            String violation = EdgeInput.line(value, EdgeInput.MAX_LINE_LENGTH);
            if (violation != null) {
                throw ProblemException.badRequest("A filter " + violation);
            }
        }
    }

    private static State parseState(String state) {
        try {
            return State.of(state.trim());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Unknown state '" + state + "'");
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
