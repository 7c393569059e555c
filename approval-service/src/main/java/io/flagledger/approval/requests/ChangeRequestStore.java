package io.flagledger.approval.requests;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.approval.db.Db;
import io.flagledger.contract.approval.ApplyWindow;
import io.flagledger.approval.policy.Party;
import io.flagledger.approval.policy.Policy;
import io.flagledger.common.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** SQL for change requests and their decisions. */
@ApplicationScoped
public class ChangeRequestStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Db db;

    /** Filters of the list endpoint; null means "any". */
    public record Filter(State state, String project, String flag, String segment, String environment,
                         String requesterId, Party awaitingDecisionBy, int limit) {
    }

    public void insert(Db.Tx tx, ChangeRequest cr) {
        Policy p = cr.policy();
        tx.query("insert into change_request (id, project, flag_key, environment, base_version, previous_config, "
                        + "proposed_config, change_sha256, risk, reason, correlation_id, requester_id, requester_name, state, "
                        + "revision, policy_name, required_approvals, required_roles, approval_validity_s, apply_window, "
                        + "auto_apply, apply_requested, apply_attempts, next_apply_at, created_at, updated_at, target, segment_key) values "
                        + "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)",
                cr.id(), cr.project(), cr.flag(), cr.environment(), cr.baseVersion(), cr.previousConfig().toString(),
                cr.proposedConfig().toString(), cr.changeSha256(), cr.risk(), cr.reason(), cr.correlationId(),
                cr.requesterId(), cr.requesterName(), cr.state().wire(), cr.revision(), p.name(), p.approvals(),
                String.join(",", p.requiredRoles()), p.approvalValidity() == null ? null : p.approvalValidity().toSeconds(),
                p.applyWindow() == null ? null : p.applyWindow().toString(), p.autoApply(), cr.applyRequested(),
                cr.applyAttempts(), cr.nextApplyAt(), cr.createdAt(), cr.updatedAt(), cr.target(), cr.segment());
    }

    /** The request, locked for the rest of the transaction; 404 when there is none. */
    public ChangeRequest lock(Db.Tx tx, UUID id) {
        for (Row row : tx.query("select * from change_request where id = $1 for update", id)) {
            return map(row);
        }
        throw notFound(id);
    }

    public ChangeRequest get(UUID id) {
        for (Row row : db.query("select * from change_request where id = $1", id)) {
            return map(row);
        }
        throw notFound(id);
    }

    /** Writes every mutable column of {@code cr}. */
    public void update(Db.Tx tx, ChangeRequest cr) {
        tx.query("update change_request set base_version = $2, previous_config = $3, proposed_config = $4, "
                        + "change_sha256 = $5, state = $6, revision = $7, apply_requested = $8, apply_attempts = $9, "
                        + "next_apply_at = $10, last_apply_error = $11, applied_version = $12, updated_at = $13, "
                        + "frozen_by = $14 where id = $1",
                cr.id(), cr.baseVersion(), cr.previousConfig().toString(), cr.proposedConfig().toString(),
                cr.changeSha256(), cr.state().wire(), cr.revision(), cr.applyRequested(), cr.applyAttempts(),
                cr.nextApplyAt(), cr.lastApplyError(), cr.appliedVersion(), cr.updatedAt(),
                cr.frozenBy() == null ? null : JSON.valueToTree(cr.frozenBy()).toString());
    }

    /**
     * Approved requests whose apply met the freeze {@code freezeId}, due now: it was lifted, so they need not wait out
     * their backoff. Returns how many.
     */
    public int releaseFrozen(String project, String freezeId, Instant now) {
        int released = 0;
        for (Row ignored : db.query("update change_request set next_apply_at = $3 where state = 'approved' and project = $1 "
                + "and frozen_by::jsonb ->> 'id' = $2 returning id", project, freezeId, now)) {
            released++;
        }
        return released;
    }

    public List<ChangeRequest> list(Filter f) {
        List<ChangeRequest> out = new ArrayList<>();
        String sql = "select * from change_request c where ($1::text is null or state = $1) "
                + "and ($2::text is null or project = $2) and ($3::text is null or flag_key = $3) "
                + "and ($4::text is null or environment = $4) and ($5::text is null or requester_id = $5) "
                // awaiting me: pending, no revision written by me and no decision by me on this revision (as account or person)
                + "and ($6::text is null or (state = 'pending' and not exists ("
                + "  select 1 from change_request_revision r where r.change_request_id = c.id "
                + "  and (r.author_id = $6 or r.author_person = $9)) and not exists ("
                + "  select 1 from decision d where d.change_request_id = c.id and d.revision = c.revision "
                + "  and (d.approver_id = $6 or d.approver_person = $9)))) "
                + "and ($8::text is null or segment_key = $8) "
                + "order by created_at desc, id limit $7";
        Party awaiting = f.awaitingDecisionBy();
        for (Row row : db.query(sql, f.state() == null ? null : f.state().wire(), f.project(), f.flag(), f.environment(),
                f.requesterId(), awaiting == null ? null : awaiting.id(), f.limit(), f.segment(),
                awaiting == null ? null : awaiting.person())) {
            out.add(map(row));
        }
        return out;
    }

    /** Approved requests whose apply is due (auto-applied, or asked for by the requester). */
    public List<UUID> dueForApply(Instant now, int limit) {
        List<UUID> ids = new ArrayList<>();
        for (Row row : db.query("select id from change_request where state = 'approved' and (auto_apply or apply_requested) "
                + "and next_apply_at <= $1 order by next_apply_at limit $2", now, limit)) {
            ids.add(row.getUUID("id"));
        }
        return ids;
    }

    /** Pending or approved requests on one flag environment ({@code flag}) or one segment ({@code segment}). */
    public List<UUID> openOn(String project, String flag, String segment, String environment) {
        List<UUID> ids = new ArrayList<>();
        for (Row row : db.query("select id from change_request where state in ('pending', 'approved') and project = $1 "
                + "and environment = $2 and (flag_key = $3 or segment_key = $4)", project, environment, flag, segment)) {
            ids.add(row.getUUID("id"));
        }
        return ids;
    }

    public List<UUID> pendingCreatedBefore(Instant cutoff) {
        List<UUID> ids = new ArrayList<>();
        for (Row row : db.query("select id from change_request where state = 'pending' and created_at < $1", cutoff)) {
            ids.add(row.getUUID("id"));
        }
        return ids;
    }

    public void insertDecision(Db.Tx tx, UUID id, Decision d) {
        tx.query("insert into decision (change_request_id, revision, approver_id, approver_person, approver_name, "
                        + "approver_roles, decision, comment, decided_at) values ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                id, d.revision(), d.approverId(), d.approverPerson(), d.approverName(), String.join(",", d.roles()),
                d.decision(), d.comment(), d.decidedAt());
    }

    public void insertRevision(Db.Tx tx, UUID id, Revision r) {
        tx.query("insert into change_request_revision (change_request_id, revision, author_id, author_person, author_name, "
                        + "base_version, change_sha256, comment, created_at) values ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                id, r.revision(), r.authorId(), r.authorPerson(), r.authorName(), r.baseVersion(), r.changeSha256(),
                r.comment(), r.createdAt());
    }

    /** Every revision of the request, revision 1 first. */
    public List<Revision> revisions(Db.Tx tx, UUID id) {
        return mapRevisions(tx.query("select * from change_request_revision where change_request_id = $1 order by revision", id));
    }

    public List<Revision> revisions(UUID id) {
        return mapRevisions(db.query("select * from change_request_revision where change_request_id = $1 order by revision", id));
    }

    private static List<Revision> mapRevisions(Iterable<Row> rows) {
        List<Revision> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Revision(r.getInteger("revision"), r.getString("author_id"), r.getString("author_person"),
                    r.getString("author_name"), r.getLong("base_version"), r.getString("change_sha256"), r.getString("comment"),
                    Db.instant(r, "created_at")));
        }
        return out;
    }

    public List<Decision> decisions(Db.Tx tx, UUID id) {
        return mapDecisions(tx.query("select * from decision where change_request_id = $1 order by id", id));
    }

    public List<Decision> decisions(UUID id) {
        return mapDecisions(db.query("select * from decision where change_request_id = $1 order by id", id));
    }

    private static List<Decision> mapDecisions(Iterable<Row> rows) {
        List<Decision> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Decision(r.getString("approver_id"), r.getString("approver_person"), r.getString("approver_name"),
                    split(r.getString("approver_roles")), r.getInteger("revision"), r.getString("decision"), r.getString("comment"),
                    Db.instant(r, "decided_at")));
        }
        return out;
    }

    private static ChangeRequest map(Row r) {
        Long validity = r.getLong("approval_validity_s");
        String window = r.getString("apply_window");
        Policy policy = new Policy(r.getString("policy_name"), r.getInteger("required_approvals"),
                split(r.getString("required_roles")), validity == null ? null : Duration.ofSeconds(validity),
                window == null ? null : ApplyWindow.parse(window), r.getBoolean("auto_apply"));
        return new ChangeRequest(r.getUUID("id"), r.getString("project"), r.getString("flag_key"), r.getString("segment_key"),
                r.getString("environment"),
                r.getLong("base_version"), json(r.getString("previous_config")), json(r.getString("proposed_config")),
                r.getString("change_sha256"), r.getString("risk"), r.getString("reason"), r.getString("correlation_id"),
                r.getString("requester_id"), r.getString("requester_name"), State.of(r.getString("state")),
                r.getInteger("revision"), policy, r.getBoolean("apply_requested"), r.getInteger("apply_attempts"),
                Db.instant(r, "next_apply_at"), r.getString("last_apply_error"), r.getLong("applied_version"),
                Db.instant(r, "created_at"), Db.instant(r, "updated_at"), frozenBy(r.getString("frozen_by")));
    }

    private static FrozenBy frozenBy(String text) {
        return text == null ? null : FrozenBy.of(json(text));
    }

    private static List<String> split(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.asList(csv.split(","));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored config is not JSON", e);
        }
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No change request " + id);
    }
}
