package io.flagledger.monitor.rules;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Everything monitor-service is told in {@code flagledger.monitor.*}. */
@ConfigMapping(prefix = "flagledger.monitor")
public interface MonitorConfig {

    /** Detect and alert, but never call flag-api. */
    @WithDefault("false")
    boolean dryRun();

    /** The monitor's own name on its events (its token's subject is only known to Keycloak). */
    @WithDefault("monitor-service")
    String actorId();

    /**
     * How long changes are kept for the rules (in memory, and in the database to be reloaded after a restart); at
     * least the longest rule window.
     */
    @WithDefault("1h")
    Duration historyRetention();

    /** How often changes older than {@link #historyRetention()} are deleted. */
    @WithDefault("5m")
    Duration historyPruneInterval();

    /** How often delayed rules (unapproved changes past their grace period) are re-checked. */
    @WithDefault("1s")
    Duration tickInterval();

    Revert revert();

    Rules rules();

    Signals signals();

    /** Applications whose error rate is watched, by name. */
    Map<String, Application> applications();

    Alerts alerts();

    interface Revert {
        /** At most one revert per flag and environment within this window. */
        @WithDefault("15m")
        Duration window();

        /** flag-api's base URL. */
        String flagApiUrl();

        @WithDefault("10s")
        Duration timeout();
    }

    interface Rules {
        RapidToggling rapidToggling();

        MassRollout massRollout();

        AfterHours afterHours();

        UnexpectedActor unexpectedActor();

        ErrorSpike errorSpike();

        UnapprovedChange unapprovedChange();

        StaleFlags staleFlags();
    }

    interface RapidToggling {
        RuleMode mode();

        int maxChanges();

        Duration window();
    }

    interface MassRollout {
        RuleMode mode();

        double maxRisePoints();

        Duration window();
    }

    interface AfterHours {
        RuleMode mode();

        String timeZone();

        /** {@code HH:mm}, inclusive. */
        String start();

        /** {@code HH:mm}, exclusive. */
        String end();

        Set<DayOfWeek> weekdays();

        /** {@code yyyy-MM-dd} dates in the time zone. */
        Optional<List<String>> holidays();

        Set<String> exemptRoles();
    }

    interface UnexpectedActor {
        RuleMode mode();

        /** Service actor (name or id) → comma-separated {@code project/flag} patterns, {@code *} for any. */
        Map<String, String> allowedFlags();
    }

    interface ErrorSpike {
        RuleMode mode();

        double absoluteThreshold();

        double baselineFactor();

        double minBaseline();

        Duration window();
    }

    interface UnapprovedChange {
        RuleMode mode();

        Duration grace();
    }

    interface StaleFlags {
        RuleMode mode();

        Duration fullyRolledOutAfter();

        Duration escalateAfter();

        Duration scanInterval();
    }

    interface Signals {
        /** Prometheus HTTP API base URL; empty: no Prometheus-backed applications. */
        Optional<String> prometheusUrl();

        Duration pollInterval();

        /** Resolution of the range query that finds when the threshold was crossed; the scrape interval is right. */
        Duration rangeStep();

        @WithDefault("10s")
        Duration timeout();

        /** How long samples pushed to service.health are kept. */
        @WithDefault("1h")
        Duration sampleRetention();

        /**
         * At most this many pushed samples are kept per application (oldest dropped first); a sample every second for
         * the default hour of retention fits.
         */
        @WithDefault("3600")
        int maxSamplesPerApplication();

        /**
         * Believe samples only on the application's own topic {@code service.health.<application>} (whose ACL lets only
         * that application's principal write), none on the shared {@code service.health}. The chart sets it with
         * {@code kafkaUsers.enabled}.
         */
        @WithDefault("false")
        boolean ownTopicRequired();
    }

    interface Application {
        /**
         * PromQL giving the error ratio (0..1) of this application, e.g.
         * {@code sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m])) / sum(rate(http_requests_total{job="checkout"}[1m]))}.
         * Without one the application's samples come from the service.health topic.
         */
        Optional<String> query();

        /** {@code project/flag} keys of the flags this application reads. */
        List<String> flags();

        @WithDefault("production")
        String environment();
    }

    interface Alerts {
        Optional<String> alertmanagerUrl();

        Optional<String> webhookUrl();

        @WithDefault("10s")
        Duration timeout();
    }
}
