package io.flagledger.flagapi.flags;

import io.flagledger.common.actor.Actor;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@value #METRIC}: committed flag changes by project, environment ({@value #FLAG_WIDE} for a change of the whole
 * flag: creation, metadata, archive, restore) and actor type ({@code person} or {@code service}), for dashboards that
 * put changes next to error rates (the chart's Grafana dashboard annotates with it). Counted after the change's
 * transaction committed, so a refused or rolled-back change is not counted.
 */
@ApplicationScoped
public class ChangeMetrics {

    public static final String METRIC = "flagledger.flag.changes";
    public static final String FLAG_WIDE = "*";

    @Inject
    MeterRegistry registry;

    public void committed(String project, String environment, Actor actor) {
        registry.counter(METRIC, "project", project, "environment", environment == null ? FLAG_WIDE : environment,
                "actor_type", actor.isService() ? "service" : "person").increment();
    }
}
