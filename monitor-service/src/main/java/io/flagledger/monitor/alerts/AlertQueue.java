package io.flagledger.monitor.alerts;

import io.flagledger.monitor.rules.ErrorSpikeRule;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.StaleFlagRule;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Puts alerts in the alert table on the caller's connection, inside the transaction that records the detection or
 * revert they report, so an alert exists if and only if what it reports does (the outbox pattern, for HTTP
 * receivers). {@link AlertRelay} delivers them. Queuing the same label set twice is a no-op (the fingerprint is
 * unique), which makes redelivered Kafka records and replicas harmless.
 */
@ApplicationScoped
public class AlertQueue {

    static final String FIRING = "firing";
    static final String RESOLVED = "resolved";

    /** What clears an alert (alert.clears_on). */
    static final String CLEARS_ON_ERROR_RATE = "error-rate";
    static final String CLEARS_ON_NOT_STALE = "not-stale";
    static final String CLEARS_ON_EVENT = "event";

    @Inject
    MonitorConfig config;

    @Inject
    Alerter alerter;

    /**
     * Queues {@code alert} for every configured receiver, first attempted at {@code notBefore}: later than now when a
     * revert is about to decide its severity ({@link #settle}), so people get one alert with the outcome, not two.
     */
    public Uni<Void> enqueue(SqlConnection tx, Long detectionId, Alert alert, Instant notBefore) {
        List<String> receivers = List.copyOf(alerter.receivers().keySet());
        if (receivers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String clearsOn = clearsOn(alert.detection().rule());
        Instant startsAt = alert.detection().detectedAt();
        Instant endsAt = clearsOn.equals(CLEARS_ON_EVENT) ? startsAt.plus(config.alerts().eventAlertDuration()) : null;
        return tx.preparedQuery("insert into alert (fingerprint, detection_id, rule, project, flag_key, environment, clears_on, "
                        + "document, starts_at, ends_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                        + "on conflict (fingerprint) do nothing returning id")
                .execute(Tuple.from(new Object[] {alert.fingerprint(), detectionId, alert.detection().rule(),
                        alert.detection().key().project(), alert.detection().key().flag(), alert.detection().key().environment(),
                        clearsOn, alert.document().toString(), utc(startsAt), endsAt == null ? null : utc(endsAt)}))
                .chain(rows -> rows.iterator().hasNext()
                        ? deliveries(tx, rows.iterator().next().getLong("id"), receivers, FIRING, notBefore)
                        : Uni.createFrom().voidItem());
    }

    /**
     * The revert of {@code detectionId} has an outcome: the queued alert gets it (severity, revert label) and is due
     * now. If an attempt already went out (the revert took longer than {@code alerts.revert-hold}), the outcome is a
     * new alert of its own instead: what was sent cannot be taken back, and one label set is one alert.
     */
    public Uni<Void> settle(SqlConnection tx, long detectionId, Alert alert) {
        Instant now = Instant.now();
        return tx.preparedQuery("update alert a set fingerprint = $2, document = $3 where a.detection_id = $1 "
                        + "and not exists (select 1 from alert_delivery d where d.alert_id = a.id and d.attempts > 0) "
                        + "and not exists (select 1 from alert o where o.fingerprint = $2) returning a.id")
                .execute(Tuple.of(detectionId, alert.fingerprint(), alert.document().toString()))
                .chain(rows -> rows.iterator().hasNext()
                        ? tx.preparedQuery("update alert_delivery set next_attempt_at = $2 where alert_id = $1 and delivered_at is null")
                                .execute(Tuple.of(rows.iterator().next().getLong("id"), utc(now))).replaceWithVoid()
                        : enqueue(tx, detectionId, alert, now));
    }

    /**
     * The condition of alert {@code alertId} cleared at {@code at}: it ends then, and every receiver that was or will
     * be told it fires is told it ended. A no-op when already resolved.
     */
    public Uni<Boolean> resolve(SqlConnection tx, long alertId, Instant at) {
        return tx.preparedQuery("update alert set resolved_at = $2, ends_at = $2 where id = $1 and resolved_at is null returning id")
                .execute(Tuple.of(alertId, utc(at)))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().item(false);
                    }
                    return tx.preparedQuery("select receiver from alert_delivery where alert_id = $1 and kind = $2 and dead_at is null")
                            .execute(Tuple.of(alertId, FIRING))
                            .chain(told -> {
                                List<String> receivers = new java.util.ArrayList<>();
                                told.forEach(r -> receivers.add(r.getString("receiver")));
                                return deliveries(tx, alertId, receivers, RESOLVED, at);
                            })
                            .replaceWith(true);
                });
    }

    private Uni<Void> deliveries(SqlConnection tx, long alertId, List<String> receivers, String kind, Instant due) {
        OffsetDateTime now = utc(Instant.now());
        return Multi.createFrom().iterable(receivers)
                .onItem().transformToUniAndConcatenate(receiver -> tx.preparedQuery("insert into alert_delivery "
                                + "(alert_id, receiver, kind, created_at, next_attempt_at) values ($1, $2, $3, $4, $5) "
                                + "on conflict (alert_id, receiver, kind) do nothing")
                        .execute(Tuple.of(alertId, receiver, kind, now, utc(due))))
                .collect().last().replaceWithVoid();
    }

    /** Error spikes clear when the error rate is back under the threshold; stale flags when cleaned up. */
    static String clearsOn(String rule) {
        return switch (rule) {
            case ErrorSpikeRule.NAME -> CLEARS_ON_ERROR_RATE;
            case StaleFlagRule.NAME -> CLEARS_ON_NOT_STALE;
            default -> CLEARS_ON_EVENT;
        };
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
