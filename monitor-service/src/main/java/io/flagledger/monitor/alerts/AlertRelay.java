package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.retry.Backoff;
import io.flagledger.contract.SafeText;
import io.flagledger.monitor.actions.Actions;
import io.flagledger.monitor.outbox.Outbox;
import io.flagledger.monitor.rules.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Delivers queued alerts ({@link AlertQueue}) at least once to each receiver, the way {@code OutboxRelay} publishes
 * events: rows in PostgreSQL, claimed with {@code SKIP LOCKED} so replicas share the work, retried with the shared
 * {@link Backoff} ({@code alerts.initial-backoff} doubling up to {@code alerts.max-backoff}).
 * <p>
 * A claim counts the attempt and pushes the row's due time past the send time-out before the HTTP call, so a replica
 * that dies mid-send leaves the row to be sent again; receivers deduplicate (Alertmanager on the label set, webhook
 * consumers on {@code fingerprint}). <b>Dead letters:</b> after {@code alerts.max-attempts} failed attempts, or at once
 * when the receiver refuses the alert itself (a 4xx other than 408/429, or a receiver no longer configured), the row
 * is set aside ({@code dead_at}, {@code last_error}), counted ({@value #DEAD_METRIC}, alerted by the chart's
 * FlagledgerMonitorAlertDeadLettered rule) and logged once; later alerts go on. When every receiver of an alert has
 * been told (or given up on), one signed event records it in the ledger: {@code monitor.alert.sent} (firing, every
 * receiver told), {@code monitor.alert.resolved} or {@code monitor.alert.dead_lettered} (someone was not told), with
 * each receiver's outcome.
 */
@ApplicationScoped
public class AlertRelay {

    public static final String DEAD_METRIC = "flagledger.monitor.alerts.dead";
    public static final String PENDING_METRIC = "flagledger.monitor.alerts.pending";

    private static final Logger LOG = Logger.getLogger(AlertRelay.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERROR_CHARS = 500;

    private static final String CLAIM = "update alert_delivery d set attempts = d.attempts + 1, next_attempt_at = $2 "
            + "from alert a where a.id = d.alert_id and d.id in (select id from alert_delivery "
            + "where delivered_at is null and dead_at is null and next_attempt_at <= $1 "
            + "order by next_attempt_at, id limit $3 for update skip locked) "
            + "returning d.id, d.alert_id, d.receiver, d.kind, d.attempts, a.fingerprint, a.document, a.starts_at, a.ends_at, "
            + "a.resolved_at, a.rule, a.project, a.flag_key, a.environment";

    @Inject
    Pool pool;

    @Inject
    Alerter alerter;

    @Inject
    Outbox outbox;

    @Inject
    MonitorConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    ObjectMapper json;

    private final AtomicLong pending = new AtomicLong();
    private Backoff backoff;

    @PostConstruct
    void init() {
        backoff = new Backoff(config.alerts().initialBackoff(), config.alerts().maxBackoff());
        registry.gauge(PENDING_METRIC, pending);
    }

    @Scheduled(every = "${flagledger.monitor.alerts.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliverScheduled() {
        try {
            deliverDue();
            pending.set(pool.query("select count(*) from alert_delivery where delivered_at is null and dead_at is null")
                    .execute().await().atMost(TIMEOUT).iterator().next().getLong(0));
        } catch (RuntimeException e) {
            // the database is away: every row is still there for the next run
            LOG.warnf("Alert delivery paused: %s", e.getMessage());
        }
    }

    /** One run: claims what is due and attempts each delivery once; returns how many were attempted. */
    public int deliverDue() {
        Instant now = Instant.now();
        // past the longest a send can take, so a row in flight is not claimed twice
        Instant lease = now.plus(config.alerts().timeout().multipliedBy(2)).plusSeconds(5);
        List<Row> claimed = new ArrayList<>();
        pool.withTransaction(tx -> tx.preparedQuery(CLAIM)
                        .execute(Tuple.of(AlertQueue.utc(now), AlertQueue.utc(lease), config.alerts().batchSize())))
                .await().atMost(TIMEOUT).forEach(claimed::add);
        claimed.sort(java.util.Comparator.comparing((Row r) -> r.getLong("id")));
        for (Row row : claimed) {
            deliver(row);
        }
        return claimed.size();
    }

    private void deliver(Row row) {
        String receiver = row.getString("receiver");
        int attempts = row.getInteger("attempts");
        OffsetDateTime resolvedAt = row.getOffsetDateTime("resolved_at");
        OffsetDateTime endsAt = row.getOffsetDateTime("ends_at");
        JsonNode document;
        try {
            document = json.readTree(row.getString("document"));
        } catch (Exception e) {
            record(row, new Alerter.Attempt(false, true, "unreadable alert document: " + e.getMessage()), attempts);
            return;
        }
        Alerter.Attempt attempt = alerter.send(receiver, new Alerter.Queued(document, row.getString("fingerprint"),
                row.getOffsetDateTime("starts_at").toInstant(), endsAt == null ? null : endsAt.toInstant(), resolvedAt != null));
        record(row, attempt, attempts);
    }

    private void record(Row row, Alerter.Attempt attempt, int attempts) {
        long id = row.getLong("id");
        String receiver = row.getString("receiver");
        boolean dead = !attempt.sent() && (attempt.permanent() || attempts >= config.alerts().maxAttempts());
        String error = attempt.sent() ? null : bounded(attempt.detail());
        Instant now = Instant.now();
        Tuple values;
        String update;
        if (attempt.sent()) {
            update = "update alert_delivery set delivered_at = $2, last_error = null where id = $1";
            values = Tuple.of(id, AlertQueue.utc(now));
        } else if (dead) {
            update = "update alert_delivery set dead_at = $2, last_error = $3 where id = $1";
            values = Tuple.of(id, AlertQueue.utc(now), error);
        } else {
            update = "update alert_delivery set next_attempt_at = $2, last_error = $3 where id = $1";
            values = Tuple.of(id, AlertQueue.utc(now.plus(backoff.delay(attempts))), error);
        }
        registry.counter("flagledger.monitor.alerts", "receiver", receiver, "outcome", attempt.sent() ? "sent" : "failed").increment();
        try {
            pool.withTransaction(tx -> tx.preparedQuery(update).execute(values)
                    .chain(() -> reportWhenSettled(tx, row))).await().atMost(TIMEOUT);
        } catch (RuntimeException e) {
            // not recorded: the claim expires and the delivery is attempted again (at least once)
            LOG.warnf("Outcome of alert delivery %d not recorded, it will be attempted again: %s", id, e.getMessage());
            return;
        }
        if (dead) {
            registry.counter(DEAD_METRIC, "receiver", receiver).increment();
            LOG.errorf("Alert %s (%s, %s) to %s dead-lettered after %d attempt(s): %s. Later alerts continue.",
                    row.getString("fingerprint"), row.getString("rule"), row.getString("kind"), receiver, attempts, error);
        } else if (!attempt.sent()) {
            LOG.warnf("Alert %s to %s not delivered (attempt %d): %s", row.getString("fingerprint"), receiver, attempts, error);
        }
    }

    /**
     * When this was the last open delivery of its alert and kind, records in the ledger who was told. The alert row
     * is locked first, so of two replicas settling the last two receivers exactly one sees none open.
     */
    private Uni<Void> reportWhenSettled(SqlConnection tx, Row row) {
        long alertId = row.getLong("alert_id");
        String kind = row.getString("kind");
        return tx.preparedQuery("select id from alert where id = $1 for update").execute(Tuple.of(alertId))
                .chain(() -> tx.preparedQuery("select receiver, delivered_at, dead_at, last_error from alert_delivery "
                        + "where alert_id = $1 and kind = $2 order by id").execute(Tuple.of(alertId, kind)))
                .chain(rows -> {
                    Map<String, String> outcomes = new LinkedHashMap<>();
                    boolean allSent = true;
                    for (Row r : rows) {
                        if (r.getValue("delivered_at") == null && r.getValue("dead_at") == null) {
                            return Uni.createFrom().voidItem();
                        }
                        boolean sent = r.getValue("delivered_at") != null;
                        allSent &= sent;
                        outcomes.put(r.getString("receiver"), sent ? "sent" : "dead-lettered: " + r.getString("last_error"));
                    }
                    return outbox.append(tx, ledgerEvent(row, kind, allSent, outcomes)).replaceWithVoid();
                });
    }

    private io.flagledger.contract.AuditEvent ledgerEvent(Row row, String kind, boolean allSent, Map<String, String> outcomes) {
        JsonNode document;
        try {
            document = json.readTree(row.getString("document"));
        } catch (Exception e) {
            document = JsonNodeFactory.instance.objectNode();
        }
        JsonNode labels = document.path("labels");
        JsonNode annotations = document.path("annotations");
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.put("rule", row.getString("rule"));
        scope.put("subject", labels.path("subject").asText());
        if (annotations.hasNonNull("suspect_event_id")) {
            scope.put("suspect_event_id", annotations.path("suspect_event_id").asText());
        }
        scope.put("severity", labels.path("severity").asText());
        scope.put("status", kind);
        scope.put("fingerprint", row.getString("fingerprint"));
        outcomes.forEach(scope.putObject("receivers")::put);
        String action = !allSent ? "monitor.alert.dead_lettered"
                : kind.equals(AlertQueue.RESOLVED) ? "monitor.alert.resolved" : "monitor.alert.sent";
        String correlation = annotations.path("correlation_id").asText(labels.path("subject").asText());
        return Actions.monitorEvent(config.actorId(), row.getString("project"), row.getString("flag_key"),
                row.getString("environment"), correlation, annotations.path("summary").asText("alert"), action, scope);
    }

    // No control characters (the error reaches logs and the ledger) and bounded.
    private static String bounded(String error) {
        String safe = SafeText.escape(error == null ? "unknown" : error);
        return safe.length() <= MAX_ERROR_CHARS ? safe : safe.substring(0, MAX_ERROR_CHARS) + "...";
    }
}
