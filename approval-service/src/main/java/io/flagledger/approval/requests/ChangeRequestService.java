package io.flagledger.approval.requests;

import io.flagledger.contract.diff.ConfigDiff;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.apply.FlagApiClient;
import io.flagledger.approval.db.Db;
import io.flagledger.approval.policy.Party;
import io.flagledger.approval.policy.Policies;
import io.flagledger.approval.policy.Policy;
import io.flagledger.approval.policy.Roles;
import io.flagledger.approval.policy.SeparationOfDuties;
import io.flagledger.approval.policy.Tally;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.IdentityConfig;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.roles.ScopedRoles;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.approval.ApprovalClaims;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The transitions of a change request; each runs in one transaction with its audit event. */
@ApplicationScoped
public class ChangeRequestService {

    private static final Set<State> OPEN = Set.of(State.PENDING, State.APPROVED, State.SUPERSEDED);

    @Inject
    Db db;

    @Inject
    ChangeRequestStore store;

    @Inject
    ChangeRequestEvents events;

    @Inject
    Policies policies;

    @Inject
    FlagApiClient flagApi;

    @Inject
    Clock clock;

    @Inject
    IdentityConfig identity;

    /** What a requester proposes: for a flag's environment config or (segment set, flag null) a segment definition. */
    public record Proposal(String project, String flag, String segment, String environment, Long baseVersion,
                           JsonNode config, String reason, String correlationId) {
    }

    public ChangeRequest create(Actor actor, RequestMetadata request, Proposal p) {
        Roles.requireFile(actor, p.project(), p.environment());
        SeparationOfDuties.requireIdentifiable(actor, personClaim());
        boolean segment = p.segment() != null;
        boolean operation = ApprovalClaims.ALL_ENVIRONMENTS.equals(p.environment());
        requireObject(p.config(), segment);
        FlagApiClient.EnvironmentState current = current(p.project(), p.flag(), p.segment(), p.environment());
        if (operation && p.baseVersion() != null && p.baseVersion() != current.version()) {
            throw ProblemException.conflict("The flag is at metadata version " + current.version() + ", not "
                    + p.baseVersion() + ": base the request on the current version");
        }
        requireBase(operation ? null : p.baseVersion(), current, segment);
        if (operation && FlagOperation.diff(current.config(), p.config()).isEmpty()) {
            throw ProblemException.conflict("The flag is already as the " + p.config().path("operation").asText()
                    + " would leave it: nothing to approve");
        }
        // creating a segment is a change even when its definition is empty
        if (!operation && current.version() > 0 && ChangeRequest.diff(segment, current.config(), p.config()).isEmpty()) {
            throw ProblemException.conflict("The proposed " + (segment ? "definition" : "config")
                    + " is the same as the current one: nothing to approve");
        }
        // segments have no risk attribute: the environment's policy applies. A flag-wide operation lands in every
        // environment, so it needs what the strictest protected one needs, at the flag's current (not proposed) risk.
        Policy policy = operation ? policies.resolveFlagWide(p.project(), current.risk())
                : policies.resolve(p.project(), p.environment(), current.risk());
        Instant now = clock.instant();
        ChangeRequest cr = new ChangeRequest(UUID.randomUUID(), p.project(), segment ? null : p.flag(), p.segment(),
                p.environment(), current.version(), current.config(), p.config(), ApprovalClaims.changeHashOf(p.config()),
                current.risk(), p.reason(), p.correlationId(), actor.id(), actor.name(), State.PENDING, 1, policy, false, 0,
                null, null, null, now, now, null);
        return db.transaction(tx -> {
            store.insert(tx, cr);
            store.insertRevision(tx, cr.id(), revision(cr, actor, null));
            events.record(tx, "created", actor, request, null, cr, p.reason(), diffScope(cr));
            return approveIfSatisfied(tx, cr, List.of(), actor, request);
        });
    }

    /** The target's current state in flag-api: what a proposal is based on and what an apply is checked against. */
    public FlagApiClient.EnvironmentState current(ChangeRequest cr) {
        return current(cr.project(), cr.flag(), cr.segment(), cr.environment());
    }

    private FlagApiClient.EnvironmentState current(String project, String flag, String segment, String environment) {
        if (ApprovalClaims.ALL_ENVIRONMENTS.equals(environment)) {
            return flagApi.flag(project, flag);
        }
        return segment != null ? flagApi.segment(project, environment, segment) : flagApi.environment(project, flag, environment);
    }

    public ChangeRequest approve(UUID id, Actor actor, RequestMetadata request, Integer expectedRevision, String comment) {
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            requireDecisionRevision(cr, expectedRevision);
            requireState(cr, State.PENDING, "approved");
            List<Decision> decisions = store.decisions(tx, id);
            requireMayDecide(tx, cr, actor, decisions);
            Decision d = new Decision(actor.id(), actor.person(), actor.name(), rolesHere(actor, cr), cr.revision(), Decision.APPROVED,
                    comment, clock.instant());
            store.insertDecision(tx, id, d);
            ChangeRequest touched = cr.withState(State.PENDING, clock.instant());
            store.update(tx, touched);
            events.record(tx, "approval_added", actor, request, cr, touched, comment, null);
            List<Decision> all = new java.util.ArrayList<>(decisions);
            all.add(d);
            return approveIfSatisfied(tx, touched, all, actor, request);
        });
    }

    public ChangeRequest reject(UUID id, Actor actor, RequestMetadata request, Integer expectedRevision, String comment) {
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            requireDecisionRevision(cr, expectedRevision);
            requireState(cr, State.PENDING, "rejected");
            requireMayDecide(tx, cr, actor, store.decisions(tx, id));
            store.insertDecision(tx, id, new Decision(actor.id(), actor.person(), actor.name(), rolesHere(actor, cr), cr.revision(),
                    Decision.REJECTED, comment, clock.instant()));
            ChangeRequest rejected = cr.withState(State.REJECTED, clock.instant());
            store.update(tx, rejected);
            events.record(tx, "rejected", actor, request, cr, rejected, comment, null);
            return rejected;
        });
    }

    public ChangeRequest withdraw(UUID id, Actor actor, RequestMetadata request, String reason) {
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            if (!cr.requesterId().equals(actor.id())) {
                throw new ProblemException(403, "Only the requester can withdraw a change request");
            }
            if (!OPEN.contains(cr.state())) {
                throw ProblemException.conflict("A " + cr.state().wire() + " change request cannot be withdrawn");
            }
            ChangeRequest withdrawn = cr.withState(State.WITHDRAWN, clock.instant());
            store.update(tx, withdrawn);
            events.record(tx, "withdrawn", actor, request, cr, withdrawn, reason, null);
            return withdrawn;
        });
    }

    /**
     * A new proposal, by the requester or an approver, on top of the flag's current version (a rebase when the
     * request was superseded). Every approval so far stops counting, and its author joins the request's authors:
     * from then on they may not decide on it.
     */
    public ChangeRequest revise(UUID id, Actor actor, RequestMetadata request, Integer expectedRevision, JsonNode config,
                                Long baseVersion, String comment) {
        ChangeRequest peek = store.get(id);
        if (peek.isOperation()) {
            throw ProblemException.conflict("A " + peek.operation() + " request is not edited: withdraw it and file a new one");
        }
        requireObject(config, peek.isSegment());
        SeparationOfDuties.requireIdentifiable(actor, personClaim());
        boolean requester = peek.requesterId().equals(actor.id());
        if (!requester && (actor.isService() || !Roles.mayApprove(actor, peek.project(), peek.environment()))) {
            throw new ProblemException(403, "Only the requester or an approver of " + peek.project() + "/" + peek.environment()
                    + " can edit the proposal");
        }
        FlagApiClient.EnvironmentState current = current(peek);
        requireBase(baseVersion, current, peek.isSegment());
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            requireRevision(cr, expectedRevision);
            if (!OPEN.contains(cr.state())) {
                throw ProblemException.conflict("A " + cr.state().wire() + " change request cannot be edited");
            }
            ChangeRequest revised = cr.withProposal(current.version(), current.config(), config,
                    ApprovalClaims.changeHashOf(config), clock.instant());
            store.update(tx, revised);
            store.insertRevision(tx, id, revision(revised, actor, comment));
            events.record(tx, "revised", actor, request, cr, revised,
                    comment == null ? "proposal edited; approvals reset" : comment, diffScope(revised));
            return approveIfSatisfied(tx, revised, List.of(), actor, request);
        });
    }

    /** The requester asks for an approved change to be applied (policies with {@code apply=requester}). */
    public ChangeRequest requestApply(UUID id, Actor actor) {
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            if (!cr.requesterId().equals(actor.id())) {
                throw new ProblemException(403, "Only the requester can apply this change request");
            }
            requireState(cr, State.APPROVED, "applied");
            if (cr.policy().autoApply() || cr.applyRequested()) {
                return cr;
            }
            ChangeRequest due = cr.withApplyDue(true, clock.instant(), clock.instant());
            store.update(tx, due);
            return due;
        });
    }

    /**
     * The roles a decision was made as: the names that reach the request's project and environment, so that
     * {@code security-approver@shop} counts as {@code security-approver} where a policy requires it, and only there.
     */
    private static List<String> rolesHere(Actor actor, ChangeRequest cr) {
        return ScopedRoles.of(actor.roles()).namesCovering(cr.project(), cr.environment());
    }

    public ChangeRequest get(UUID id) {
        return store.get(id);
    }

    public List<Decision> decisions(UUID id) {
        return store.decisions(id);
    }

    /** Every revision of the request with its author, revision 1 first. */
    public List<Revision> revisions(UUID id) {
        return store.revisions(id);
    }

    /** Whether {@code actor} may decide on the request now (the console shows the buttons only then). */
    public boolean mayDecide(ChangeRequest cr, Actor actor, List<Revision> revisions, List<Decision> decisions) {
        return cr.state() == State.PENDING && SeparationOfDuties.mayDecide(actor, cr.project(), cr.environment(),
                authors(revisions), decidersOf(decisions, cr.revision()), personClaim());
    }

    public List<ChangeRequest> list(ChangeRequestStore.Filter filter) {
        return store.list(filter);
    }

    public Tally tally(ChangeRequest cr, List<Decision> decisions) {
        return Tally.of(cr.policy(), cr.revision(), approvals(decisions), clock.instant());
    }

    /**
     * flag-api moved a flag environment ({@code flag}) or a segment ({@code segment}) to {@code version}, by event
     * {@code eventId}; {@code byRequest} is the change request that write applied, if any.
     */
    public record Moved(String project, String flag, String segment, String environment, long version, String eventId,
                        String action, String byRequest) {
    }

    /**
     * Supersedes the pending and approved requests on the moved target whose base version is now behind; returns how
     * many moved. Idempotent: a redelivered event finds them superseded already (or rebased onto a newer base).
     */
    /** An incident freeze was lifted: the approved requests it held back are due now. */
    public int releaseFrozen(String project, String freezeId) {
        return store.releaseFrozen(project, freezeId, clock.instant());
    }

    public int supersedeMoved(Moved moved) {
        int n = 0;
        for (UUID id : store.openOn(moved.project(), moved.flag(), moved.segment(), moved.environment())) {
            if (id.toString().equals(moved.byRequest())) {
                continue; // the write that applied this very request
            }
            n += db.transaction(tx -> {
                ChangeRequest cr = store.lock(tx, id);
                if ((cr.state() != State.PENDING && cr.state() != State.APPROVED) || moved.version() <= cr.baseVersion()) {
                    return 0;
                }
                Instant now = clock.instant();
                String reason = "the " + (cr.isSegment() ? "segment" : "environment config") + " changed to version "
                        + moved.version() + " after base version " + cr.baseVersion() + " (" + moved.action()
                        + ", event " + moved.eventId() + "); rebase the change request";
                ChangeRequest superseded = cr.withState(State.SUPERSEDED, now)
                        .withApplyDue(false, null, now).withAttempt(cr.applyAttempts(), null, reason, now);
                store.update(tx, superseded);
                ObjectNode scope = JsonNodeFactory.instance.objectNode();
                ObjectNode by = scope.putObject("superseded_by");
                by.put("event_id", moved.eventId());
                by.put("action", moved.action());
                by.put("version", moved.version());
                events.record(tx, "superseded", ChangeRequestEvents.SELF, null, cr, superseded, reason, scope);
                return 1;
            });
        }
        return n;
    }

    /** Pending requests nobody decided on in time expire. */
    public int expireStale() {
        Instant cutoff = clock.instant().minus(policiesTtl());
        int n = 0;
        for (UUID id : store.pendingCreatedBefore(cutoff)) {
            n += db.transaction(tx -> {
                ChangeRequest cr = store.lock(tx, id);
                if (cr.state() != State.PENDING) {
                    return 0;
                }
                ChangeRequest expired = cr.withState(State.EXPIRED, clock.instant());
                store.update(tx, expired);
                events.record(tx, "expired", ChangeRequestEvents.SELF, null, cr, expired, "not decided within " + policiesTtl(), null);
                return 1;
            });
        }
        return n;
    }

    private java.time.Duration policiesTtl() {
        return policies.requestTtl();
    }

    private ChangeRequest approveIfSatisfied(Db.Tx tx, ChangeRequest cr, List<Decision> decisions, Actor actor,
                                             RequestMetadata request) {
        Tally tally = tally(cr, decisions);
        if (!tally.satisfied()) {
            return cr;
        }
        Instant now = clock.instant();
        ChangeRequest approved = cr.withState(State.APPROVED, now).withApplyDue(false, now, now);
        store.update(tx, approved);
        String approvers = approvals(decisions).stream().filter(a -> a.revision() == cr.revision())
                .map(a -> a.approver().id()).distinct().collect(Collectors.joining(", "));
        events.record(tx, "approved", actor, request, cr, approved,
                tally.required() == 0 ? "policy " + cr.policy().name() + " requires no approval"
                        : "policy " + cr.policy().name() + " satisfied by " + approvers, null);
        return approved;
    }

    static List<io.flagledger.approval.policy.Approval> approvals(List<Decision> decisions) {
        return decisions.stream().filter(d -> Decision.APPROVED.equals(d.decision())).map(Decision::asApproval).toList();
    }

    private void requireMayDecide(Db.Tx tx, ChangeRequest cr, Actor actor, List<Decision> decisions) {
        SeparationOfDuties.requireMayDecide(actor, cr.project(), cr.environment(), authors(store.revisions(tx, cr.id())),
                decidersOf(decisions, cr.revision()), personClaim());
    }

    private static List<Party> authors(List<Revision> revisions) {
        return revisions.stream().map(Revision::author).toList();
    }

    private static Set<Party> decidersOf(List<Decision> decisions, int revision) {
        return decisions.stream().filter(d -> d.revision() == revision).map(Decision::approver).collect(Collectors.toSet());
    }

    private Revision revision(ChangeRequest cr, Actor author, String comment) {
        return new Revision(cr.revision(), author.id(), author.person(), author.name(), cr.baseVersion(), cr.changeSha256(),
                comment, cr.updatedAt());
    }

    private String personClaim() {
        return identity.personClaim().filter(c -> !c.isBlank()).orElse(null);
    }

    private static void requireState(ChangeRequest cr, State required, String verb) {
        if (cr.state() != required) {
            throw ProblemException.conflict("The change request is " + cr.state().wire() + "; only a "
                    + required.wire() + " one can be " + verb);
        }
    }

    /**
     * A decision is about what the person saw: it must name that revision (428 without one), and a newer revision
     * fails the precondition (412), so an edit between reading and deciding never collects the decision.
     */
    private static void requireDecisionRevision(ChangeRequest cr, Integer expected) {
        if (expected == null) {
            // the detail does not say which revision is current: a client copying it would decide unseen
            throw ProblemException.preconditionRequired("A decision must name the revision it is about: send If-Match "
                    + "with the ETag of the change request as you reviewed it, e.g. If-Match: \"1\"");
        }
        requireRevision(cr, expected);
    }

    /** An edit may name the revision it replaces; a newer one fails the precondition. */
    private static void requireRevision(ChangeRequest cr, Integer expected) {
        if (expected != null && expected != cr.revision()) {
            throw ProblemException.preconditionFailed("The change request is at revision " + cr.revision()
                    + ", not " + expected + ": review the new proposal first");
        }
    }

    private static void requireBase(Long baseVersion, FlagApiClient.EnvironmentState current, boolean segment) {
        if (baseVersion != null && baseVersion != current.version()) {
            throw ProblemException.conflict("The " + (segment ? "segment" : "environment config") + " is at version "
                    + current.version() + ", not " + baseVersion + ": base the change on the current version");
        }
    }

    private static void requireObject(JsonNode proposal, boolean segment) {
        if (proposal == null || !proposal.isObject()) {
            throw ProblemException.badRequest(segment
                    ? "Field 'definition' must be the segment definition object flag-api accepts"
                    : "Field 'config' must be the environment config object flag-api accepts");
        }
    }

    private static JsonNode diffScope(ChangeRequest cr) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        var lines = scope.putArray("diff");
        for (ConfigDiff.Line line : cr.diff()) {
            ObjectNode l = lines.addObject();
            l.put("path", line.path());
            l.put("before", line.before());
            l.put("after", line.after());
        }
        scope.set(cr.isOperation() ? "proposed_operation" : cr.isSegment() ? "proposed_definition" : "proposed_config",
                cr.proposedConfig());
        return scope;
    }
}
