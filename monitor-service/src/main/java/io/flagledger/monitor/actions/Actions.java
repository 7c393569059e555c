package io.flagledger.monitor.actions;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.monitor.alerts.Alert;
import io.flagledger.monitor.alerts.AlertContext;
import io.flagledger.monitor.alerts.AlertEnricher;
import io.flagledger.monitor.alerts.AlertQueue;
import io.flagledger.monitor.detectors.StatisticalDetectors;
import io.flagledger.monitor.outbox.Outbox;
import io.flagledger.monitor.revert.RevertOutcome;
import io.flagledger.monitor.revert.RevertResult;
import io.flagledger.monitor.revert.Reverter;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.RuleMode;
import io.flagledger.monitor.rules.RuleSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * What happens once a rule fires: the detection is recorded once (with its monitor.detection event), the suspect
 * change is reverted when the rule's mode says so, and people are alerted (queued in the same transactions, delivered
 * by {@link io.flagledger.monitor.alerts.AlertRelay}). Each step is an event on
 * monitor.actions under the suspect change's correlation id, so the ledger reads change → detection → revert.
 * Runs on worker threads (Kafka consumers, schedulers), so it waits for the database and HTTP calls.
 */
@ApplicationScoped
public class Actions {

    private static final Logger LOG = Logger.getLogger(Actions.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    public static final String SOURCE_SERVICE = "monitor-service";

    @Inject
    Pool pool;

    @Inject
    Outbox outbox;

    @Inject
    Reverter reverter;

    @Inject
    AlertQueue alerts;

    @Inject
    AlertEnricher enricher;

    @Inject
    RuleSet rules;

    @Inject
    StatisticalDetectors detectors;

    @Inject
    MonitorConfig config;

    @Inject
    MeterRegistry registry;

    public void handle(Detection detection) {
        RuleMode mode = detectors.mode(detection.rule()).orElseGet(() -> rules.mode(detection.rule()));
        if (mode == RuleMode.OFF) {
            return;
        }
        boolean reverting = mode == RuleMode.REVERT && detection.suspect() != null;
        AtomicReference<AlertContext> context = new AtomicReference<>(AlertContext.NONE);
        // The alert is queued with the detection, so it exists if and only if the detection does; when a revert is
        // about to decide its severity it waits (alerts.revert-hold) for revert() to settle it.
        Instant due = reverting ? Instant.now().plus(config.alerts().revertHold()) : Instant.now();
        Long id = pool.withTransaction(tx -> insertDetection(tx, detection, mode)
                .call(inserted -> inserted == null ? Uni.createFrom().nullItem()
                        : outbox.append(tx, event(detection, "monitor.detection", detectionScope(detection, mode)))
                                .chain(() -> enricher.context(tx, detection)).invoke(context::set)
                                .chain(ctx -> alerts.enqueue(tx, inserted, new Alert(detection, null, ctx), due))))
                .await().atMost(TIMEOUT);
        if (id == null) {
            return; // already handled: a redelivered record or another replica
        }
        registry.counter("flagledger.monitor.detections", "rule", detection.rule()).increment();
        if (detection.suspect() != null) {
            Timer.builder("flagledger.monitor.change.to.detection").tag("rule", detection.rule())
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.between(detection.suspect().timestamp(), detection.detectedAt()));
        }
        LOG.infof("%s: %s (mode %s)", detection.rule(), detection.summary(), mode);
        if (reverting) {
            revert(id, detection, context.get());
        }
    }

    private RevertResult revert(long detectionId, Detection detection, AlertContext context) {
        RevertResult result = pool.withTransaction(tx -> reverter.revert(tx, detection)
                .call(r -> recordRevert(tx, detectionId, detection, r))
                .call(r -> alerts.settle(tx, detectionId, new Alert(detection, r, context)))).await().atMost(TIMEOUT);
        registry.counter("flagledger.monitor.reverts", "rule", detection.rule(), "outcome", result.outcome().label()).increment();
        if (result.outcome() == RevertOutcome.FAILED) {
            registry.counter("flagledger.monitor.revert.failures", "rule", detection.rule()).increment();
        }
        if (result.outcome() == RevertOutcome.REVERTED && detection.thresholdCrossedAt() != null) {
            Timer.builder("flagledger.monitor.threshold.to.revert").tag("rule", detection.rule())
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.between(detection.thresholdCrossedAt(), result.at()));
        }
        LOG.infof("%s of %s: %s", result.outcome(), detection.suspect().eventId(), result.detail());
        return result;
    }

    private Uni<Long> insertDetection(SqlConnection tx, Detection d, RuleMode mode) {
        return tx.preparedQuery("insert into detection (rule, suspect, project, flag_key, environment, severity, mode, "
                        + "correlation_id, detected_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                        + "on conflict (rule, suspect) do nothing returning id")
                .execute(Tuple.from(new Object[] {d.rule(), d.subject(), d.key().project(), d.key().flag(), d.key().environment(),
                        d.severity().name(), mode.name(), d.correlationId(), OffsetDateTime.ofInstant(d.detectedAt(), ZoneOffset.UTC)}))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong("id") : null);
    }

    private Uni<Void> recordRevert(SqlConnection tx, long detectionId, Detection d, RevertResult r) {
        ObjectNode scope = base(d);
        scope.put("outcome", r.outcome().label());
        scope.put("detail", r.detail());
        scope.put("revert_of", d.suspect().eventId());
        if (r.httpStatus() != null) {
            scope.put("http_status", r.httpStatus());
        }
        if (r.revertedToVersion() != null) {
            scope.put("new_version", r.revertedToVersion());
        }
        if (d.thresholdCrossedAt() != null) {
            scope.put("threshold_crossed_at", d.thresholdCrossedAt().toString());
        }
        return tx.preparedQuery("insert into revert_attempt (detection_id, project, flag_key, environment, suspect_event_id, "
                        + "outcome, detail, attempted_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(new Object[] {detectionId, d.key().project(), d.key().flag(), d.key().environment(),
                        d.suspect().eventId(), r.outcome().name(), r.detail(), OffsetDateTime.ofInstant(r.at(), ZoneOffset.UTC)}))
                .chain(() -> outbox.append(tx, event(d, r.outcome().action(), scope)))
                .replaceWithVoid();
    }

    private ObjectNode detectionScope(Detection d, RuleMode mode) {
        ObjectNode scope = base(d);
        scope.put("severity", d.severity().label());
        scope.put("mode", mode.name().toLowerCase());
        scope.put("dry_run", config.dryRun());
        scope.set("details", d.details());
        return scope;
    }

    private static ObjectNode base(Detection d) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.put("rule", d.rule());
        scope.put("subject", d.subject());
        if (d.suspect() != null) {
            scope.put("suspect_event_id", d.suspect().eventId());
        }
        return scope;
    }

    private AuditEvent event(Detection d, String action, ObjectNode scope) {
        return monitorEvent(config.actorId(), d.key().project(), d.key().flag(), d.key().environment(), d.correlationId(),
                d.summary(), action, scope);
    }

    /** An unsigned event on monitor.actions by the monitor itself (detections, reverts, alert deliveries). */
    public static AuditEvent monitorEvent(String actorId, String project, String flag, String environment,
                                          String correlationId, String reason, String action, ObjectNode scope) {
        return AuditEvent.builder()
                .actorId(actorId)
                .actorType(ActorType.SERVICE)
                .actorName(SOURCE_SERVICE)
                .actorRoles("automation")
                .sourceService(SOURCE_SERVICE)
                .request(new RequestMetadata(null, null, Channel.AUTOMATION))
                .action(action)
                .project(project)
                .flagId(flag)
                .environment(environment)
                .scope(scope)
                .correlationId(correlationId)
                .reason(reason)
                .build();
    }
}
