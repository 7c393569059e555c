package io.flagledger.flagapi.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.approval.ApprovalTokenException;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.common.protection.Protection;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.flags.Flag;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.flags.FlagKind;
import io.flagledger.flagapi.outbox.OutboxEvent;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Decides whether a change to an environment may be written, and records how it was allowed. In a protected
 * environment a write needs one of: an approval token for exactly this change; an automated revert of exactly the
 * latest change (role {@code flag-reverter}); or break-glass, turning a kill-switch flag off and nothing else.
 * Everything else gets 428 with directions to approval-service. An approval token that is offered is verified in
 * every environment: {@code flag-applier} may write only what a token allows, protected or not.
 * <p>
 * Flag-wide operations (archive, restore, a metadata change that weakens the approval policy) change what every
 * environment serves, protected ones included, so they need an approval token for exactly that operation on top of
 * the flag's metadata version ({@link #admitFlagWide}). Every token must name as many distinct approvers as the
 * strictest protected environment it affects requires ({@code flagledger.protection.*}), none of them the
 * requester or the caller applying it.
 */
@ApplicationScoped
public class ProtectedEnvironmentGate {

    static final String REVERTED = "flag.reverted";

    @Inject
    EnvironmentsConfig environments;

    @Inject
    Protection protection;

    @Inject
    ApprovalKeys keys;

    Clock clock = Clock.systemUTC();

    /** A change about to be written: the flag, where, the stored version and the configs before and after. */
    public record Change(Flag flag, String environment, long currentVersion, EnvironmentConfig before,
                         EnvironmentConfig after, String action, String actorId, List<String> actorRoles,
                         ProtectedWrite offer) {
    }

    /** A protected environment flag-api does not have could never be written: a configuration mistake. */
    void checkConfiguration(@Observes StartupEvent start) {
        List<String> unknown = protection.protectedEnvironments().stream()
                .filter(name -> !environments.names().contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("flagledger.protection.protected-environments names " + unknown
                    + ", which are not in flagledger.environments.names " + environments.names());
        }
    }

    public Uni<Admission> admit(Change change) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        boolean isProtected = protection.isProtected(change.environment());
        ProtectedWrite offer = change.offer() == null ? ProtectedWrite.NONE : change.offer();
        if (!blank(offer.revertOf())) {
            if (isProtected && !Grants.mayRevertProtected(change.actorRoles(), change.flag().project, change.environment())) {
                throw ProblemException.forbidden("Only the " + Grants.REVERTER + " role may revert a protected environment without approval");
            }
            return verifyRevert(change, offer.revertOf()).map(reverted -> {
                scope.put("revert_of", reverted.eventId());
                return new Admission(REVERTED, scope);
            });
        }
        if (!blank(offer.approvalToken())) {
            if (offer.proposedConfig() == null) {
                throw ProblemException.badRequest("An approval applies to a config replacement (PUT .../environments/"
                        + change.environment() + "), not to a toggle");
            }
            recordApproval(scope, verifyToken(change, offer.approvalToken(), offer.proposedConfig()));
            return Uni.createFrom().item(new Admission(change.action(), scope));
        }
        if (!isProtected) {
            return Uni.createFrom().item(new Admission(change.action(), scope));
        }
        if (isBreakGlass(change)) {
            scope.put("break_glass", true);
            return Uni.createFrom().item(new Admission(change.action(), scope));
        }
        throw ProblemException.preconditionRequired("'" + change.environment() + "' is a protected environment: "
                + "file a change request with approval-service (POST /api/v1/change-requests with project, flag, "
                + "environment, baseVersion " + change.currentVersion() + " and the proposed config); once approved, "
                + "approval-service applies it with an approval token (header " + ApprovalTokens.HEADER + ")");
    }

    /**
     * A segment write. Segments steer the targeting of every flag that references them, so in a protected
     * environment they need an approval token for exactly this definition on top of the current version, like a
     * flag config; there is no break-glass for segments. Returns what the event's scope records.
     */
    public ObjectNode admitSegment(String project, String segment, String environment, long currentVersion,
                                   String actorId, ProtectedWrite offer) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.put("segment", segment);
        boolean tokenOffered = offer != null && !blank(offer.approvalToken());
        if (!tokenOffered && !protection.isProtected(environment)) {
            return scope;
        }
        if (!tokenOffered) {
            throw ProblemException.preconditionRequired("'" + environment + "' is a protected environment: file a "
                    + "change request with approval-service (POST /api/v1/change-requests with project, segment, "
                    + "environment, baseVersion " + currentVersion + " and the proposed definition); once approved, "
                    + "approval-service applies it with an approval token (header " + ApprovalTokens.HEADER + ")");
        }
        try {
            ApprovalClaims claims = ApprovalTokens.verify(offer.approvalToken(), keys.trusted(), clock.instant());
            requireNoOperation(claims);
            requireBaseVersion(claims, environment, currentVersion);
            ApprovalTokens.requireMatchesSegment(claims, project, segment, environment, currentVersion, offer.proposedConfig());
            ApprovalTokens.requireApprovers(claims, protection.requirement(environment).minApprovers(), Set.of(actorId));
            recordApproval(scope, claims);
            return scope;
        } catch (ApprovalTokenException e) {
            throw ProblemException.forbidden("Approval refused: " + e.getMessage());
        }
    }

    /**
     * A flag-wide operation about to be written on top of the flag's metadata version {@code metadataVersion}.
     * {@code needsApproval} is false for changes that cannot weaken what protects an environment (a new owner, a
     * risk raised); {@code metadata} is the proposed metadata of a metadata change, null for archive and restore.
     * Returns the event's scope: the environments the operation affects, the protected ones among them and, when a
     * token was used, the approval.
     */
    public ObjectNode admitFlagWide(Flag flag, String operation, long metadataVersion, JsonNode metadata,
                                    boolean needsApproval, String actorId, String approvalToken) {
        ObjectNode scope = affects(environments.names());
        List<String> guarded = protection.protectedAmong(environments.names());
        // An offered token is verified even where none is needed: flag-applier writes only what a token allows.
        if ((!needsApproval || guarded.isEmpty()) && blank(approvalToken)) {
            return scope;
        }
        if (blank(approvalToken)) {
            throw ProblemException.preconditionRequired("This " + operation + " of flag '" + flag.key + "' affects the "
                    + "protected environment(s) " + guarded + ": file a change request with approval-service (POST "
                    + "/api/v1/change-requests with project, flag, operation '" + operation + "', baseVersion "
                    + metadataVersion + (metadata == null ? "" : " and the proposed metadata") + "); once approved, "
                    + "approval-service applies it with an approval token (header " + ApprovalTokens.HEADER + ")");
        }
        try {
            ApprovalClaims claims = ApprovalTokens.verify(approvalToken, keys.trusted(), clock.instant());
            if (claims.operation() != null && claims.operation().equals(operation) && claims.baseVersion() != metadataVersion) {
                throw ProblemException.preconditionFailed("The approval is for metadata version " + claims.baseVersion()
                        + " but flag '" + flag.key + "' is at metadata version " + metadataVersion
                        + "; the change request must be rebased and approved again");
            }
            ApprovalTokens.requireMatchesOperation(claims, flag.project, flag.key, operation, metadataVersion, metadata);
            ApprovalTokens.requireApprovers(claims, protection.strictest(guarded).minApprovers(), Set.of(actorId));
            recordApproval(scope, claims);
            return scope;
        } catch (ApprovalTokenException e) {
            throw ProblemException.forbidden("Approval refused: " + e.getMessage());
        }
    }

    /** What a flag-wide event's scope says about where it lands: every environment, and which are protected. */
    public ObjectNode affects(List<String> environmentNames) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        environmentNames.forEach(scope.putArray("environments")::add);
        protection.protectedAmong(environmentNames).forEach(scope.putArray("protected_environments")::add);
        return scope;
    }

    private static void recordApproval(ObjectNode scope, ApprovalClaims claims) {
        ObjectNode approval = scope.putObject("approval");
        approval.put("change_request_id", claims.changeRequestId());
        approval.put("base_version", claims.baseVersion());
        approval.put("change_sha256", claims.changeSha256());
        if (claims.operation() != null) {
            approval.put("operation", claims.operation());
        }
        if (claims.requester() != null) {
            approval.put("requester", claims.requester());
        }
        claims.approvers().forEach(approval.putArray("approvers")::add);
        if (claims.applyWindow() != null) {
            approval.put("apply_window", claims.applyWindow());
        }
    }

    /** A flag-wide approval's base version is a metadata version: compared with an environment's it would mislead. */
    private static void requireNoOperation(ApprovalClaims claims) {
        if (claims.operation() != null) {
            throw ProblemException.forbidden("Approval refused: approval token is for operation " + claims.operation()
                    + " of flag " + claims.project() + "/" + claims.flag() + ", not for this change");
        }
    }

    /** A vanished base version is "rebase and approve again" (412), which also makes every token single-use. */
    private static void requireBaseVersion(ApprovalClaims claims, String environment, long currentVersion) {
        if (claims.baseVersion() != currentVersion) {
            throw ProblemException.preconditionFailed("The approval is for version " + claims.baseVersion()
                    + " but the target in '" + environment + "' is at version " + currentVersion
                    + "; the change request must be rebased and approved again");
        }
    }

    /**
     * Turning a kill switch off must never wait for approvers, nor for the end of an incident freeze; it is the
     * emergency brake.
     */
    public static boolean isBreakGlass(Change change) {
        return FlagKind.fromWire(change.flag().kind) == FlagKind.KILL_SWITCH
                && change.before().enabled() && !change.after().enabled()
                && change.before().withEnabled(false).equals(change.after());
    }

    private ApprovalClaims verifyToken(Change change, String token, JsonNode proposedConfig) {
        Flag flag = change.flag();
        try {
            ApprovalClaims claims = ApprovalTokens.verify(token, keys.trusted(), clock.instant());
            requireNoOperation(claims);
            requireBaseVersion(claims, change.environment(), change.currentVersion());
            ApprovalTokens.requireMatches(claims, flag.project, flag.key, change.environment(), change.currentVersion(),
                    proposedConfig);
            ApprovalTokens.requireApprovers(claims, protection.requirement(change.environment()).minApprovers(),
                    Set.of(change.actorId()));
            return claims;
        } catch (ApprovalTokenException e) {
            throw ProblemException.forbidden("Approval refused: " + e.getMessage());
        }
    }

    private Uni<AuditEvent> verifyRevert(Change change, String revertOf) {
        UUID eventId;
        try {
            eventId = UUID.fromString(revertOf);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(ProtectedWrite.REVERT_HEADER + " must be the event id (a UUID) of the change to revert");
        }
        return OutboxEvent.<OutboxEvent>find("eventId", eventId).firstResult().map(row -> {
            if (row == null) {
                throw ProblemException.notFound("No change event " + revertOf + " to revert");
            }
            AuditEvent event = EventJson.parse(row.payload);
            Flag flag = change.flag();
            if (!flag.project.equals(event.project()) || !flag.key.equals(event.flagId())
                    || !change.environment().equals(event.environment()) || event.newState() == null
                    || event.previousState() == null) {
                throw ProblemException.conflict("Event " + revertOf + " is not a change of " + flag.project + "/" + flag.key
                        + " in '" + change.environment() + "'");
            }
            if (REVERTED.equals(event.action())) {
                throw ProblemException.conflict("Event " + revertOf + " is itself a revert; reverting it would start a loop");
            }
            long changedTo = event.newState().path("version").asLong(-1);
            if (changedTo != change.currentVersion()) {
                throw ProblemException.preconditionFailed("The flag changed since event " + revertOf + " (version "
                        + changedTo + " then, " + change.currentVersion() + " now); not reverting");
            }
            if (!FlagCodec.config(event.previousState()).equals(change.after())) {
                throw ProblemException.conflict("A revert must restore exactly the state before event " + revertOf);
            }
            return event;
        });
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
