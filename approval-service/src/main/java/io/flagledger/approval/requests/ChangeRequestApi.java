package io.flagledger.approval.requests;

import io.flagledger.contract.diff.ConfigDiff;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.policy.Tally;
import io.flagledger.approval.requests.Carriable.Kind;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of the change request API. */
public final class ChangeRequestApi {

    public static final String KEY_PATTERN = "^[a-z0-9][a-z0-9._-]{0,127}$";

    private ChangeRequestApi() {
    }

    /**
     * A new change request for either a flag ({@code flag} + {@code config}, the environment config) or a segment
     * ({@code segment} + {@code definition}, also accepted as {@code proposed}: the segment definition flag-api's
     * segment PUT takes). {@code baseVersion} is the version the proposal was made against (0: a new segment).
     * <p>
     * Or a flag-wide {@code operation} of a flag ({@code archive}, {@code restore}, or {@code metadata} with the
     * proposed {@code metadata}, e.g. {@code {"risk": "low"}}), without environment: its {@code baseVersion} is the
     * flag's {@code metadataVersion}.
     */
    @Schema(example = "{\"project\": \"shop\", \"flag\": \"new-checkout\", \"environment\": \"production\", "
            + "\"baseVersion\": 4, \"config\": {\"enabled\": true, \"offVariation\": \"off\", \"targets\": [], \"rules\": [], "
            + "\"fallthrough\": {\"variation\": \"on\"}}, "
            + "\"reason\": \"Launch the new checkout\", \"correlationId\": \"CHG-881\"}")
    public record Create(@NotBlank @Pattern(regexp = KEY_PATTERN) String project,
                         @Pattern(regexp = KEY_PATTERN) String flag,
                         @Pattern(regexp = KEY_PATTERN) String segment,
                         @Pattern(regexp = "^[a-z0-9][a-z0-9_-]{0,63}$") String environment,
                         @PositiveOrZero Long baseVersion,
                         @Carriable(Kind.JSON) JsonNode config,
                         @Carriable(Kind.JSON) @JsonAlias("proposed") JsonNode definition,
                         @Pattern(regexp = "^(archive|restore|metadata)$", message = "must be archive, restore or metadata")
                         String operation,
                         @Carriable(Kind.JSON) JsonNode metadata,
                         @NotBlank @Size(max = 2000) @Carriable(Kind.TEXT) String reason,
                         @Size(max = 200) @Carriable(Kind.LINE) String correlationId) {
    }

    @Schema(example = "{\"comment\": \"Checked the rollout plan with payments\"}")
    public record Decide(@Size(max = 2000) @Carriable(Kind.TEXT) String comment) {
    }

    @Schema(example = "{\"reason\": \"Superseded by CHG-890\"}")
    public record Withdraw(@Size(max = 2000) @Carriable(Kind.TEXT) String reason) {
    }

    /** A new proposal: {@code config} for a flag request, {@code definition} for a segment request. */
    @Schema(example = "{\"config\": {\"enabled\": true, \"offVariation\": \"off\", \"targets\": [], \"rules\": [], "
            + "\"fallthrough\": {\"variation\": \"on\"}}, \"baseVersion\": 5, "
            + "\"comment\": \"Rebased on version 5\"}")
    public record Revise(@Carriable(Kind.JSON) JsonNode config, @Carriable(Kind.JSON) @JsonAlias("proposed") JsonNode definition,
                         @PositiveOrZero Long baseVersion, @Size(max = 2000) @Carriable(Kind.TEXT) String comment) {
    }

    public record PolicyView(String name, int approvals, List<String> requiredRoles, String approvalValidity,
                             String applyWindow, String apply) {
    }

    public record TallyView(boolean satisfied, int counted, int required, List<String> missingRoles) {
        static TallyView of(Tally t) {
            return new TallyView(t.satisfied(), t.counted(), t.required(), t.missingRoles());
        }
    }

    /** {@code approverPerson}: the person claim of the approver's token (flagledger.identity.person-claim), if any. */
    public record DecisionView(String approverId, String approverPerson, String approverName, List<String> roles, int revision,
                               String decision, String comment, Instant decidedAt) {
        static DecisionView of(Decision d) {
            return new DecisionView(d.approverId(), d.approverPerson(), d.approverName(), d.roles(), d.revision(), d.decision(),
                    d.comment(), d.decidedAt());
        }
    }

    /**
     * Who wrote one revision: revision 1 is the requester's, each later one whoever replaced the proposal. No author
     * of any revision may decide on the request. {@code authorId} is null for revisions made before authors were kept.
     */
    public record RevisionView(int revision, String authorId, String authorPerson, String authorName, Long baseVersion,
                               String changeSha256, String comment, Instant createdAt) {
        static RevisionView of(Revision r) {
            return new RevisionView(r.revision(), r.authorId(), r.authorPerson(), r.authorName(), r.baseVersion(),
                    r.changeSha256(), r.comment(), r.createdAt());
        }
    }

    /** {@code operation}: archive, restore or metadata for a flag-wide request (environment {@code *}), else null. */
    public record Summary(UUID id, String target, String project, String flag, String segment, String environment,
                          State state, int revision, String requesterId, String requesterName, String reason,
                          String correlationId, Instant createdAt, Instant updatedAt, String operation,
                          @Schema(description = "The incident freeze holding back this approved request's apply; null when none")
                          FrozenBy frozenBy) {
        static Summary of(ChangeRequest cr) {
            return new Summary(cr.id(), cr.target(), cr.project(), cr.flag(), cr.segment(), cr.environment(), cr.state(),
                    cr.revision(),
                    cr.requesterId(), cr.requesterName(), cr.reason(), cr.correlationId(), cr.createdAt(), cr.updatedAt(),
                    cr.operation(), cr.frozenBy());
        }
    }

    /**
     * For a segment request {@code previousConfig}/{@code proposedConfig} are segment definitions. {@code revisionAuthor}
     * wrote the current revision; {@code revisions} lists every revision with its author, oldest first.
     */
    public record Detail(UUID id, String target, String project, String flag, String segment, String environment,
                         State state, int revision, RevisionView revisionAuthor, List<RevisionView> revisions,
                         long baseVersion, String requesterId, String requesterName, String reason, String correlationId,
                         String risk, JsonNode previousConfig, JsonNode proposedConfig, String changeSha256,
                         List<ConfigDiff.Line> diff, PolicyView policy, TallyView approvals, List<DecisionView> decisions,
                         Long appliedVersion, int applyAttempts, String lastApplyError, Instant createdAt, Instant updatedAt,
                         String operation,
                         @Schema(description = "The incident freeze that holds back the apply of this approved request "
                                 + "(flag-api answered 423); null when none. It is applied once the freeze is lifted.")
                         FrozenBy frozenBy) {
        static Detail of(ChangeRequest cr, List<Revision> revisions, List<Decision> decisions, Tally tally) {
            var p = cr.policy();
            PolicyView policy = new PolicyView(p.name(), p.approvals(), p.requiredRoles(),
                    p.approvalValidity() == null ? null : p.approvalValidity().toString(),
                    p.applyWindow() == null ? null : p.applyWindow().toString(), p.autoApply() ? "auto" : "requester");
            List<RevisionView> history = revisions.stream().map(RevisionView::of).toList();
            RevisionView current = history.stream().filter(r -> r.revision() == cr.revision()).findFirst().orElse(null);
            return new Detail(cr.id(), cr.target(), cr.project(), cr.flag(), cr.segment(), cr.environment(), cr.state(),
                    cr.revision(), current, history, cr.baseVersion(),
                    cr.requesterId(), cr.requesterName(), cr.reason(), cr.correlationId(), cr.risk(), cr.previousConfig(),
                    cr.proposedConfig(), cr.changeSha256(), cr.diff(),
                    policy, TallyView.of(tally), decisions.stream().map(DecisionView::of).toList(), cr.appliedVersion(),
                    cr.applyAttempts(), cr.lastApplyError(), cr.createdAt(), cr.updatedAt(), cr.operation(), cr.frozenBy());
        }
    }

    public record Page(List<Summary> items) {
    }
}
