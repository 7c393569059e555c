package io.flagledger.monitor.signals;

import io.flagledger.monitor.actions.Actions;
import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.detectors.StatisticalDetectors;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.rules.ErrorSpikeRule;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.RuleSet;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every poll interval, for each watched application whose flags changed within the error-spike window, reads the
 * error rate since the most recent of those changes and lets the rule judge it. Detection latency is therefore
 * bounded by the scrape interval (when the errors become visible), the rate window of the query, and this poll
 * interval.
 */
@ApplicationScoped
public class ErrorRatePoller {

    private static final Logger LOG = Logger.getLogger(ErrorRatePoller.class);

    /** The error rate just before an application's current suspect change, read once per suspect. */
    private record Baseline(String eventId, OptionalDouble value) {
    }

    private final Map<String, Baseline> baselines = new ConcurrentHashMap<>();

    @Inject
    MonitorConfig config;

    @Inject
    RuleSet rules;

    @Inject
    ChangeHistory history;

    @Inject
    PrometheusClient prometheus;

    @Inject
    PushedSamples pushed;

    @Inject
    Actions actions;

    @Inject
    StatisticalDetectors detectors;

    @Inject
    Clock clock;

    @Scheduled(every = "${flagledger.monitor.signals.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        rules.errorSpike().ifPresent(rule -> config.applications().forEach((name, app) -> {
            try {
                check(rule, name, app);
            } catch (RuntimeException e) {
                LOG.warnf("Error rate of %s not checked: %s", name, e.getMessage());
            }
        }));
    }

    void check(ErrorSpikeRule rule, String name, MonitorConfig.Application app) {
        Instant now = clock.instant();
        Optional<FlagChange> suspect = app.flags().stream()
                .map(flag -> flag.split("/", 2))
                .filter(parts -> parts.length == 2)
                .flatMap(parts -> history.latest(new FlagKey(parts[0], parts[1], app.environment()), now.minus(rule.window())).stream())
                .max(Comparator.comparing(FlagChange::timestamp))
                // After a revert the errors are no longer the reverted change's fault, nor the revert's.
                .filter(change -> !change.isRevert() && change.isEnvironmentChange() && rule.watching(change));
        if (suspect.isEmpty()) {
            return;
        }
        FlagChange change = suspect.get();
        Baseline baseline = baselines.compute(name, (app0, known) -> known != null && known.eventId().equals(change.eventId())
                ? known
                : new Baseline(change.eventId(), app.query().isPresent()
                        ? prometheus.valueAt(app.query().get(), change.timestamp())
                        : pushed.before(name, change.timestamp())));
        List<Sample> samples = app.query().isPresent()
                ? prometheus.range(app.query().get(), change.timestamp(), now, config.signals().rangeStep())
                : pushed.since(name, change.timestamp());
        rule.evaluate(change, name, baseline.value(), samples).ifPresent(actions::handle);
        Instant from = change.timestamp().minus(config.detectors().exposureErrors().baselineWindow());
        detectors.judgeExposure(change, name, () -> app.query().isPresent()
                ? prometheus.range(app.query().get(), from, change.timestamp(), config.signals().rangeStep())
                : pushed.since(name, from).stream().filter(s -> s.at().isBefore(change.timestamp())).toList(), samples)
                .ifPresent(actions::handle);
    }
}
