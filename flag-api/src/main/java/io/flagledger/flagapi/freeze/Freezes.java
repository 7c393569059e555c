package io.flagledger.flagapi.freeze;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.outbox.Outbox;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Incident freezes: setting and lifting them (each a signed {@value #SET} / {@value #LIFTED} event in the same
 * transaction), and the check every flag write makes ({@link #check}).
 * <p>
 * A freeze and a write cannot pass each other: every write takes a shared transaction-scoped advisory lock on its
 * project before it looks for freezes, and setting a freeze takes it exclusively, so a write either committed before
 * the freeze or sees it.
 */
@ApplicationScoped
public class Freezes {

    public static final String SET = "freeze.set";
    public static final String LIFTED = "freeze.lifted";
    /** First key of the two-key advisory lock ("FRZ"), so freezes never share a lock with anything else. */
    private static final int LOCK_SPACE = 0x46525a;

    /** Why a write may pass a freeze: the emergency brake, or monitor-service undoing exactly the latest change. */
    public enum Exemption {
        NONE, BREAK_GLASS, REVERT;

        public String label() {
            return name().toLowerCase();
        }
    }

    @Inject
    Outbox outbox;

    @Inject
    EnvironmentsConfig environments;

    /** The active freezes of a project, whole-project ones first. */
    @WithSession
    public Uni<List<Freeze>> active(String project) {
        return Freeze.<Freeze>list("project = ?1 and liftedAt is null", project).map(Freezes::ordered);
    }

    /**
     * Inside a write's transaction: the freeze covering {@code environment} of {@code project} (null: any freeze of the
     * project, for writes that touch every environment). Throws {@link FrozenException} unless {@code exemption}
     * lets the write pass; then returns the freeze it passed (for the event's scope), or null when nothing is frozen.
     */
    public Uni<Freeze> check(String project, String flag, String environment, Exemption exemption) {
        return lock(project, false).chain(() -> active(project)).map(freezes -> {
            Freeze covering = freezes.stream().filter(f -> f.covers(environment)).findFirst().orElse(null);
            if (covering != null && exemption == Exemption.NONE) {
                throw new FrozenException(covering, flag, environment);
            }
            return covering;
        });
    }

    /** What a write that passed a freeze records in its event's scope, under {@code freeze}. */
    public static ObjectNode exemptScope(Freeze freeze, Exemption exemption) {
        return JsonNodeFactory.instance.objectNode().put("id", freeze.id.toString()).put("exempt", exemption.label());
    }

    @WithTransaction
    public Uni<Freeze> set(String project, String environment, String reason, String ticket, Actor actor,
                           RequestMetadata request, String correlationId) {
        if (environment != null && !environments.names().contains(environment)) {
            throw ProblemException.notFound("Environment '" + environment + "' does not exist");
        }
        return lock(project, true).chain(() -> active(project)).chain(freezes -> {
            freezes.stream().filter(f -> java.util.Objects.equals(f.environment, environment)).findFirst().ifPresent(f -> {
                throw ProblemException.conflict((environment == null ? "Project '" + project + "'" : "'" + project + "/"
                        + environment + "'") + " is already frozen (freeze " + f.id + ", set by " + f.setBy + ")");
            });
            Freeze freeze = new Freeze();
            freeze.id = UuidV7.next();
            freeze.project = project;
            freeze.environment = environment;
            freeze.reason = reason;
            freeze.ticket = ticket;
            freeze.setBy = who(actor);
            freeze.setAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return freeze.persist().chain(() -> outbox.append(event(SET, freeze, null, actor, request, correlationId, reason)))
                    .replaceWith(freeze);
        });
    }

    @WithTransaction
    public Uni<Freeze> lift(String project, UUID id, String reason, Actor actor, RequestMetadata request, String correlationId) {
        return Freeze.<Freeze>find("id = ?1 and project = ?2 and liftedAt is null", id, project)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult().chain(freeze -> {
                    if (freeze == null) {
                        throw ProblemException.notFound("No active freeze " + id + " in project '" + project + "'");
                    }
                    Grants.requireFreezer(actor.roles(), project, freeze.environment);
                    ObjectNode before = state(freeze);
                    freeze.liftedBy = who(actor);
                    freeze.liftedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    freeze.liftReason = reason;
                    return freeze.persistAndFlush()
                            .chain(() -> outbox.append(event(LIFTED, freeze, before, actor, request, correlationId, reason)))
                            .replaceWith(freeze);
                });
    }

    private Uni<Void> lock(String project, boolean exclusive) {
        String function = exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select count(*) from (select " + function + "(" + LOCK_SPACE + ", hashtext(?1))) l")
                .setParameter(1, project).getSingleResult()).replaceWithVoid();
    }

    private static String who(Actor actor) {
        return actor.name() != null && !actor.name().isBlank() ? actor.name() : actor.id();
    }

    private static List<Freeze> ordered(List<Freeze> freezes) {
        return freezes.stream().sorted(Comparator.comparing((Freeze f) -> f.environment != null)
                .thenComparing(f -> f.setAt)).toList();
    }

    private static ObjectNode state(Freeze f) {
        ObjectNode state = JsonNodeFactory.instance.objectNode().put("id", f.id.toString());
        state.put("environment", f.environment);
        state.put("reason", f.reason).put("ticket", f.ticket).put("set_by", f.setBy).put("set_at", f.setAt.toString());
        if (f.liftedAt != null) {
            state.put("lifted_by", f.liftedBy).put("lifted_at", f.liftedAt.toString()).put("lift_reason", f.liftReason);
        }
        return state;
    }

    /**
     * The event of a freeze set or lifted: project and environment (absent: the whole project) where the freeze
     * applies, the freeze before and after, and in scope the environments it covers ({@code frozen_environments}, not
     * {@code environments}: a freeze changes no flag, so consumers must not read it as a flag-wide change).
     */
    private AuditEvent event(String action, Freeze freeze, ObjectNode before, Actor actor, RequestMetadata request,
                             String correlationId, String reason) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode().put("freeze_id", freeze.id.toString());
        (freeze.environment == null ? environments.names() : List.of(freeze.environment)).forEach(scope.putArray("frozen_environments")::add);
        if (freeze.ticket != null) {
            scope.put("ticket", freeze.ticket);
        }
        return actor.event("flag-api", request).action(action).project(freeze.project).environment(freeze.environment)
                .previousState(before).newState(state(freeze)).scope(scope).correlationId(correlationId).reason(reason)
                .build();
    }
}
