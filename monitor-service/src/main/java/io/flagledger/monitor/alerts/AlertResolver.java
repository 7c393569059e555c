package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.RuleSet;
import io.flagledger.monitor.rules.StaleFlagRule;
import io.flagledger.monitor.signals.PrometheusClient;
import io.flagledger.monitor.signals.PushedSamples;
import io.flagledger.monitor.stale.FlagStates;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Ends alerts whose condition cleared, so receivers get {@code endsAt} instead of an alert that hangs until it times
 * out: an error spike when its application's error rate is back at or under the threshold it crossed, a stale flag
 * when it is no longer stale (cleaned up, archived, rolled back). Alerts about a single change (rapid toggling,
 * after hours, ...) have no condition to clear; they carry {@code endsAt} = detection + {@code alerts.event-alert-duration}.
 */
@ApplicationScoped
public class AlertResolver {

    private static final Logger LOG = Logger.getLogger(AlertResolver.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Inject
    AlertQueue queue;

    @Inject
    MonitorConfig config;

    @Inject
    RuleSet rules;

    @Inject
    FlagStates states;

    @Inject
    PrometheusClient prometheus;

    @Inject
    PushedSamples pushed;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Scheduled(every = "${flagledger.monitor.signals.poll-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resolveScheduled() {
        try {
            resolveCleared();
        } catch (RuntimeException e) {
            LOG.warnf("Alert resolution paused: %s", e.getMessage());
        }
    }

    /** Resolves every open alert whose condition cleared; returns how many. */
    public int resolveCleared() {
        Instant now = clock.instant();
        List<Long> cleared = new ArrayList<>();
        Set<FlagKey> stale = null;
        for (Row row : pool.preparedQuery("select id, clears_on, project, flag_key, environment, document from alert "
                + "where resolved_at is null and clears_on <> $1").execute(Tuple.of(AlertQueue.CLEARS_ON_EVENT)).await().atMost(TIMEOUT)) {
            FlagKey key = new FlagKey(row.getString("project"), row.getString("flag_key"), row.getString("environment"));
            if (row.getString("clears_on").equals(AlertQueue.CLEARS_ON_ERROR_RATE)) {
                if (errorRateRecovered(row.getString("document"), now)) {
                    cleared.add(row.getLong("id"));
                }
            } else if (row.getString("clears_on").equals(AlertQueue.CLEARS_ON_NOT_STALE) && rules.stale().isPresent()) {
                if (stale == null) {
                    stale = staleKeys(rules.stale().get());
                }
                if (!stale.contains(key)) {
                    cleared.add(row.getLong("id"));
                }
            }
        }
        for (long id : cleared) {
            pool.withTransaction(tx -> queue.resolve(tx, id, now)).await().atMost(TIMEOUT);
        }
        return cleared.size();
    }

    private boolean errorRateRecovered(String document, Instant now) {
        JsonNode details;
        try {
            details = json.readTree(document).path("details");
        } catch (Exception e) {
            return false;
        }
        String application = details.path("application").asText(null);
        if (application == null || !details.path("threshold").isNumber()) {
            return false;
        }
        MonitorConfig.Application app = config.applications().get(application);
        if (app == null) {
            return false;
        }
        OptionalDouble current = app.query().isPresent() ? prometheus.valueAt(app.query().get(), now)
                : pushed.before(application, now.plusMillis(1));
        return current.isPresent() && current.getAsDouble() <= details.path("threshold").asDouble();
    }

    private Set<FlagKey> staleKeys(StaleFlagRule rule) {
        Set<FlagKey> keys = new HashSet<>();
        states.candidates().forEach(c -> {
            if (!rule.evaluate(c).isEmpty()) {
                keys.add(c.key());
            }
        });
        return keys;
    }

}
