package io.flagledger.approval.apply;

import io.flagledger.approval.db.Db;
import io.flagledger.approval.requests.ChangeRequest;
import io.flagledger.approval.requests.ChangeRequestEvents;
import io.flagledger.approval.requests.ChangeRequestService;
import io.flagledger.approval.requests.ChangeRequestStore;
import io.flagledger.approval.requests.Decision;
import io.flagledger.approval.requests.FrozenBy;
import io.flagledger.approval.requests.State;
import io.flagledger.approval.policy.Tally;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.retry.Backoff;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.approval.ApprovalTokens;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Applies approved change requests through flag-api, at most once each.
 * <p>
 * The write is conditional on the base version the approvers saw ({@code If-Match}), so it can succeed only once:
 * a replay after a crash or a lost response meets 412, and then the flag's current config decides what happened
 * (it is the proposal: applied; anything else: superseded). A claim (a lease on {@code next_apply_at}) keeps two
 * replicas from calling flag-api for the same request at the same time.
 */
@ApplicationScoped
public class ApplyWorker {

    private static final Logger LOG = Logger.getLogger(ApplyWorker.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    /** flag-api refused the change itself; retrying the same write cannot help. */
    private static final Set<Integer> PERMANENT = Set.of(400, 403, 404, 422, 428);
    /** A 423 whose body named no freeze (an older flag-api): still shown as blocked by a freeze. */
    private static final FrozenBy FROZEN_UNNAMED = new FrozenBy("unknown", null, "not named by flag-api", null, null);

    @Inject
    Db db;

    @Inject
    ChangeRequestStore store;

    @Inject
    ChangeRequestService requests;

    @Inject
    ChangeRequestEvents events;

    @Inject
    FlagApiClient flagApi;

    @Inject
    ApprovalTokenConfig tokenConfig;

    @Inject
    Clock clock;

    /** How long a claimed apply is left alone before it is tried again (an apply whose replica crashed). */
    @ConfigProperty(name = "flagledger.apply.lease", defaultValue = "60s")
    Duration lease;

    private EventSigner tokenSigner;

    @PostConstruct
    void init() {
        tokenSigner = new EventSigner(tokenConfig.keyId(), Ed25519Keys.decodePrivate(tokenConfig.privateKey()));
    }

    @Scheduled(every = "${flagledger.apply.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void applyScheduled() {
        try {
            applyDue();
            requests.expireStale();
        } catch (RuntimeException e) {
            LOG.warnf("Apply run stopped early: %s", e.getMessage());
        }
    }

    public void applyDue() {
        for (UUID id : store.dueForApply(clock.instant(), 20)) {
            ChangeRequest claimed = claim(id);
            if (claimed != null) {
                apply(claimed);
            }
        }
    }

    /** Takes a lease on the request; null when it is no longer due (another replica, or a state change). */
    private ChangeRequest claim(UUID id) {
        return db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, id);
            Instant now = clock.instant();
            if (cr.state() != State.APPROVED || cr.nextApplyAt() == null || cr.nextApplyAt().isAfter(now)) {
                return null;
            }
            if (cr.policy().applyWindow() != null && !cr.policy().applyWindow().allows(now)) {
                store.update(tx, cr.withApplyDue(cr.applyRequested(), now.plus(Duration.ofMinutes(1)), now));
                return null;
            }
            Tally tally = requests.tally(cr, store.decisions(tx, id));
            if (!tally.satisfied()) {
                ChangeRequest lapsed = cr.withState(State.PENDING, now).withApplyDue(false, null, now);
                store.update(tx, lapsed);
                events.record(tx, "approvals_lapsed", ChangeRequestEvents.SELF, null, cr, lapsed,
                        "approvals older than " + cr.policy().approvalValidity() + " no longer count", null);
                return null;
            }
            ChangeRequest leased = cr.withAttempt(cr.applyAttempts() + 1, now.plus(lease), cr.lastApplyError(), now);
            store.update(tx, leased);
            return leased;
        });
    }

    private void apply(ChangeRequest cr) {
        Instant now = clock.instant();
        List<String> approvers = requests.decisions(cr.id()).stream()
                .filter(d -> d.revision() == cr.revision() && Decision.APPROVED.equals(d.decision()))
                .map(Decision::approverId).distinct().toList();
        Instant expires = now.plus(tokenConfig.lifetime());
        String reason = cr.reason() + " (change request " + cr.id() + ")";
        // carried into the event's approval scope: the monitor judges the change by its policy's hours
        String window = cr.policy().applyWindow() == null ? null : cr.policy().applyWindow().toString();
        FlagApiClient.WriteResult result;
        try {
            if (cr.isOperation()) {
                String token = ApprovalTokens.issue(ApprovalClaims.forOperation(cr.id().toString(), cr.project(), cr.flag(),
                        cr.operation(), cr.baseVersion(), cr.changeSha256(), approvers, now, expires)
                        .withRequester(cr.requesterId()).withApplyWindow(window), tokenSigner);
                result = flagApi.operate(cr.project(), cr.flag(), cr.operation(), cr.baseVersion(),
                        cr.proposedConfig().get("metadata"), reason, cr.correlationId(), token);
            } else if (cr.isSegment()) {
                String token = ApprovalTokens.issue(ApprovalClaims.forSegment(cr.id().toString(), cr.project(), cr.segment(),
                        cr.environment(), cr.baseVersion(), cr.changeSha256(), approvers, now, expires)
                        .withRequester(cr.requesterId()).withApplyWindow(window), tokenSigner);
                result = flagApi.writeSegment(cr.project(), cr.environment(), cr.segment(), cr.baseVersion(),
                        cr.proposedConfig(), reason, cr.correlationId(), token);
            } else {
                String token = ApprovalTokens.issue(new ApprovalClaims(cr.id().toString(), cr.project(), cr.flag(),
                        cr.environment(), cr.baseVersion(), cr.changeSha256(), approvers, now, expires)
                        .withRequester(cr.requesterId()).withApplyWindow(window), tokenSigner);
                result = flagApi.write(cr.project(), cr.flag(), cr.environment(), cr.baseVersion(), cr.proposedConfig(),
                        reason, cr.correlationId(), token);
            }
        } catch (ProblemException e) {
            retryLater(cr, e.getMessage(), null);
            return;
        }
        if (result.ok()) {
            finish(cr, State.APPLIED, result.version(), "applied as version " + result.version());
        } else if (result.frozen()) {
            // an incident freeze: the approval stands, the request waits (visibly) and is applied after the lift
            FrozenBy freeze = FrozenBy.of(result.freeze());
            retryLater(cr, "blocked by the incident freeze " + (freeze == null ? "" : freeze.id() + " of "
                    + freeze.scope(cr.project()) + " (" + freeze.reason() + ", set by " + freeze.setBy() + ")")
                    + "; applied once it is lifted", freeze == null ? FROZEN_UNNAMED : freeze);
        } else if (result.status() == 412 || (result.status() == 409 && cr.isOperation())) {
            // 409 on an operation: the flag is already archived (or restored); whether by us decides the outcome
            reconcile(cr);
        } else if (PERMANENT.contains(result.status())) {
            finish(cr, State.FAILED, null, "flag-api refused the change (" + result.status() + "): " + result.detail());
        } else {
            retryLater(cr, "flag-api answered " + result.status() + ": " + result.detail(), null);
        }
    }

    /** The version moved: either our own earlier write (applied) or someone else's change (superseded). */
    private void reconcile(ChangeRequest cr) {
        FlagApiClient.EnvironmentState current;
        try {
            current = requests.current(cr);
        } catch (ProblemException e) {
            retryLater(cr, e.getMessage(), null);
            return;
        }
        if (current.version() > cr.baseVersion()
                && cr.diffFrom(current.config()).isEmpty()) {
            finish(cr, State.APPLIED, current.version(), "already applied (found at version " + current.version() + ")");
        } else {
            finish(cr, State.SUPERSEDED, null, "the " + (cr.isOperation() ? "flag's metadata"
                    : cr.isSegment() ? "segment" : "environment config")
                    + " changed to version " + current.version()
                    + " after base version " + cr.baseVersion() + "; rebase the change request");
        }
    }

    private void finish(ChangeRequest leased, State outcome, Long version, String reason) {
        db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, leased.id());
            if (cr.state() != State.APPROVED || cr.revision() != leased.revision()) {
                return null; // changed during the call (e.g. withdrawn): flag-api's own event records its write
            }
            Instant now = clock.instant();
            ChangeRequest done = outcome == State.APPLIED ? cr.applied(version, now)
                    : cr.withState(outcome, now).withAttempt(cr.applyAttempts(), null, reason, now);
            store.update(tx, done);
            events.record(tx, switch (outcome) {
                case APPLIED -> "applied";
                case SUPERSEDED -> "superseded";
                default -> "apply_failed";
            }, ChangeRequestEvents.SELF, null, cr, done, reason, null);
            return null;
        });
    }

    /** Retried with the usual backoff; {@code frozen} is the freeze that blocked it (null: another failure). */
    private void retryLater(ChangeRequest leased, String error, FrozenBy frozen) {
        db.transaction(tx -> {
            ChangeRequest cr = store.lock(tx, leased.id());
            if (cr.state() != State.APPROVED) {
                return null;
            }
            Instant now = clock.instant();
            Duration backoff = new Backoff(Duration.ofSeconds(1), MAX_BACKOFF).delay(cr.applyAttempts() + 1);
            ChangeRequest later = cr.withAttempt(cr.applyAttempts(), now.plus(backoff), error, now).withFrozenBy(frozen, now);
            store.update(tx, later);
            events.record(tx, frozen != null ? "apply_blocked" : "apply_failed", ChangeRequestEvents.SELF, null, cr, later,
                    error + "; retrying in " + backoff.toSeconds() + " s", null);
            return null;
        });
    }
}
