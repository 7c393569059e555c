package io.flagledger.monitor.stale;

import io.flagledger.monitor.actions.Actions;
import io.flagledger.monitor.rules.RuleSet;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Periodically looks for stale flags; each notification and escalation is acted on once (see the detection table). */
@ApplicationScoped
public class StaleFlagScanner {

    @Inject
    RuleSet rules;

    @Inject
    FlagStates states;

    @Inject
    Actions actions;

    @Scheduled(every = "${flagledger.monitor.rules.stale-flags.scan-interval}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scan() {
        rules.stale().ifPresent(rule -> states.candidates().stream().flatMap(c -> rule.evaluate(c).stream()).forEach(actions::handle));
    }
}
