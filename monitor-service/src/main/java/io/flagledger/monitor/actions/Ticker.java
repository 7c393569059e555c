package io.flagledger.monitor.actions;

import io.flagledger.monitor.rules.RuleSet;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Fires the detections that wait for time to pass (changes naming a change request never approved in time). */
@ApplicationScoped
public class Ticker {

    @Inject
    RuleSet rules;

    @Inject
    Actions actions;

    @Scheduled(every = "${flagledger.monitor.tick-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        rules.unapproved().ifPresent(rule -> rule.expire().forEach(actions::handle));
    }
}
