package io.flagledger.audit.legalhold;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Places and lifts legal holds. Each change and its signed ledger event (audit-service's own key) commit in one
 * transaction: a hold exists exactly when the ledger says it was placed. The purge takes a SHARE lock on
 * legal_hold, so it waits for a hold being placed and then respects it.
 */
@ApplicationScoped
public class LegalHolds {

    static final String SERVICE = "audit-service";

    private static final String COLUMNS = """
            id, reason, occurred_from, occurred_to, project, flag_id, actor_id, correlation_id, placed_by, placed_at,
            placed_event_id, lifted_by, lifted_at, lifted_event_id, lift_reason""";

    @Inject
    Pool pool;

    @Inject
    Ledger ledger;

    @Inject
    Checkpointer checkpointer;

    @Inject
    Instance<EventSigner> signer;

    public Uni<LegalHold> place(LegalHoldRequest r, Actor actor, RequestMetadata request, String correlationId) {
        if (r.from() == null && r.to() == null && blank(r.flag()) && blank(r.actor()) && blank(r.correlationId())) {
            throw ProblemException.badRequest("a legal hold needs at least one of from, to, flag, actor, correlationId");
        }
        if (r.from() != null && r.to() != null && !r.from().isBefore(r.to())) {
            throw ProblemException.badRequest("from must be before to");
        }
        if (!blank(r.project()) && blank(r.flag())) {
            throw ProblemException.badRequest("project narrows flag: give flag too");
        }
        UUID id = UUID.fromString(UuidV7.nextString());
        ObjectNode scope = criteria(r);
        AuditEvent event = sign(actor.event(SERVICE, request).action("legal_hold.placed")
                .project(trim(r.project())).flagId(trim(r.flag())).correlationId(correlationId).reason(r.reason().strip())
                .scope(scope).newState(JsonNodeFactory.instance.objectNode().put("legal_hold_id", id.toString()).put("status", "active"))
                .build());
        Tuple values = Tuple.tuple().addUUID(id).addString(r.reason().strip())
                .addOffsetDateTime(r.from()).addOffsetDateTime(r.to()).addString(trim(r.project())).addString(trim(r.flag()))
                .addString(trim(r.actor())).addString(trim(r.correlationId())).addString(actor.id())
                .addOffsetDateTime(OffsetDateTime.ofInstant(event.timestamp(), ZoneOffset.UTC)).addUUID(UUID.fromString(event.eventId()));
        return pool.withTransaction(tx -> tx.preparedQuery("insert into legal_hold (" + COLUMNS + ") values "
                                + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, null, null, null, null) returning " + COLUMNS)
                        .execute(values)
                        .call(rows -> ledger.append(tx, List.of(new Ledger.Admitted(event, SourcePosition.LOCAL)), List.of())))
                .map(rows -> map(rows.iterator().next()))
                .invoke(() -> checkpointer.appended(1));
    }

    public Uni<LegalHold> lift(UUID id, String reason, Actor actor, RequestMetadata request, String correlationId) {
        if (blank(reason)) {
            throw ProblemException.badRequest("reason is required to lift a legal hold");
        }
        if (reason.length() > 2000) {
            throw ProblemException.badRequest("reason must be at most 2000 characters");
        }
        return pool.withTransaction(tx -> tx.preparedQuery("select " + COLUMNS + " from legal_hold where id = $1 for update")
                .execute(Tuple.of(id)).chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("no legal hold " + id);
                    }
                    LegalHold hold = map(rows.iterator().next());
                    if (!hold.active()) {
                        throw ProblemException.conflict("legal hold " + id + " was already lifted at " + hold.liftedAt());
                    }
                    AuditEvent event = sign(actor.event(SERVICE, request).action("legal_hold.lifted")
                            .project(hold.project()).flagId(hold.flag()).correlationId(correlationId).reason(reason.strip())
                            .scope(criteria(new LegalHoldRequest(hold.reason(), hold.from(), hold.to(), hold.project(), hold.flag(),
                                    hold.actor(), hold.correlationId())))
                            .previousState(JsonNodeFactory.instance.objectNode().put("legal_hold_id", id.toString()).put("status", "active"))
                            .newState(JsonNodeFactory.instance.objectNode().put("legal_hold_id", id.toString()).put("status", "lifted"))
                            .build());
                    return tx.preparedQuery("update legal_hold set lifted_by = $2, lifted_at = $3, lifted_event_id = $4, "
                                    + "lift_reason = $5 where id = $1 returning " + COLUMNS)
                            .execute(Tuple.tuple().addUUID(id).addString(actor.id())
                                    .addOffsetDateTime(OffsetDateTime.ofInstant(event.timestamp(), ZoneOffset.UTC))
                                    .addUUID(UUID.fromString(event.eventId())).addString(reason.strip()))
                            .call(updated -> ledger.append(tx, List.of(new Ledger.Admitted(event, SourcePosition.LOCAL)), List.of()))
                            .map(updated -> map(updated.iterator().next()));
                })).invoke(() -> checkpointer.appended(1));
    }

    public Uni<List<LegalHold>> list(Boolean active) {
        String where = active == null ? "" : active ? " where lifted_at is null" : " where lifted_at is not null";
        return pool.query("select " + COLUMNS + " from legal_hold" + where + " order by placed_at desc").execute().map(rows -> {
            List<LegalHold> out = new ArrayList<>();
            rows.forEach(row -> out.add(map(row)));
            return out;
        });
    }

    public Uni<LegalHold> get(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from legal_hold where id = $1").execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                throw ProblemException.notFound("no legal hold " + id);
            }
            return map(rows.iterator().next());
        });
    }

    private AuditEvent sign(AuditEvent unsigned) {
        if (!signer.isResolvable()) {
            throw new ProblemException(503, "audit-service has no event signing key (flagledger.signing.*), so it cannot record legal holds");
        }
        try {
            return signer.get().sign(unsigned);
        } catch (RuntimeException e) {
            throw new ProblemException(503, "audit-service cannot sign legal hold events: " + e.getMessage());
        }
    }

    private static ObjectNode criteria(LegalHoldRequest r) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        if (r.from() != null) {
            scope.put("from", r.from().toInstant().toString());
        }
        if (r.to() != null) {
            scope.put("to", r.to().toInstant().toString());
        }
        putIfSet(scope, "project", r.project());
        putIfSet(scope, "flag", r.flag());
        putIfSet(scope, "actor", r.actor());
        putIfSet(scope, "correlation_id", r.correlationId());
        return scope;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (!blank(value)) {
            node.put(field, value.strip());
        }
    }

    private static LegalHold map(Row r) {
        return new LegalHold(r.getUUID("id"), r.getOffsetDateTime("lifted_at") == null, r.getString("reason"),
                r.getOffsetDateTime("occurred_from"), r.getOffsetDateTime("occurred_to"), r.getString("project"),
                r.getString("flag_id"), r.getString("actor_id"), r.getString("correlation_id"), r.getString("placed_by"),
                r.getOffsetDateTime("placed_at"), r.getUUID("placed_event_id"), r.getString("lifted_by"),
                r.getOffsetDateTime("lifted_at"), r.getUUID("lifted_event_id"), r.getString("lift_reason"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String trim(String s) {
        return blank(s) ? null : s.strip();
    }
}
