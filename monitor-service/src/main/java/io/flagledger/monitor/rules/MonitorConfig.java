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

    /** Statistical detectors, next to the fixed rules (docs/monitoring-alerts.md has their measured rates). */
    Detectors detectors();

    interface Detectors {
        ChangeRate changeRate();

        ExposureErrors exposureErrors();
    }

    /** Per-actor and per-project change rate against its own baseline (EWMA and hourly profile, Poisson test). */
    interface ChangeRate {
        /** off or alert; a rate is about many changes, so there is no single one to revert (revert acts as alert). */
        @WithDefault("alert")
        RuleMode mode();

        @WithDefault("10m")
        Duration bucket();

        /** EWMA weight of the latest bucket in the recent baseline. */
        @WithDefault("0.1")
        double alpha();

        /** EWMA weight of the latest day in the hour-of-day baseline. */
        @WithDefault("0.3")
        double seasonalAlpha();

        /** Fires when P(count or more | baseline) is below this. */
        @WithDefault("0.0001")
        double pValue();

        /** Never fires for fewer changes than this in one bucket. */
        @WithDefault("6")
        int minChanges();

        /** Expected changes per bucket never taken as lower than this. */
        @WithDefault("0.5")
        double minBaseline();

        /** Buckets a key is watched before it is judged. */
        @WithDefault("36")
        int warmupBuckets();

        /** Keys (actors, projects) remembered each; the least recently seen beyond this are forgotten. */
        @WithDefault("10000")
        int maxKeys();
    }

    /** Error rate against the share of traffic a change exposed (the implied error rate of the exposed requests). */
    interface ExposureErrors {
        /** off or alert: the error-spike rule owns reverts for error rates. */
        @WithDefault("alert")
        RuleMode mode();

        /** Fires when the exposed requests fail at least at this rate ... */
        @WithDefault("0.10")
        double exposedThreshold();

        /** ... and the overall rise is this many standard errors above the pre-change noise. */
        @WithDefault("4")
        double z();

        /** Samples averaged per judgement. */
        @WithDefault("3")
        int window();

        /** Floor of the pre-change noise (standard deviation of the error rate). */
        @WithDefault("0.0005")
        double minNoise();

        /** How far before the change its baseline and noise are read. */
        @WithDefault("15m")
        Duration baselineWindow();
    }

    interface Revert {
        /** At most one revert per flag and environment within this window. */
        @WithDefault("15m")
        Duration window();

        /** flag-api's base URL: the REST client FlagApi's (quarkus.rest-client.flag-api.url refers to this key). */
        String flagApiUrl();

        /** The whole revert call to flag-api, token included. */
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

        FrozenWrite frozenWrite();
    }

    /** Alerts on every flag write attempted during an incident freeze ({@link FrozenWriteRule}); off or alert. */
    interface FrozenWrite {
        @WithDefault("alert")
        RuleMode mode();
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
        /** Alertmanager base URLs, comma-separated for an HA set (each gets every alert, as from Prometheus). */
        Optional<List<String>> alertmanagerUrl();

        Optional<String> webhookUrl();

        /** One delivery attempt's time-out. */
        @WithDefault("10s")
        Duration timeout();

        /** How often due deliveries are attempted. */
        @WithDefault("1s")
        Duration pollInterval();

        /** Delay after a delivery's first failed attempt; doubles per further failure up to {@link #maxBackoff()}. */
        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** Failed attempts after which a delivery is dead-lettered (20 at 1s..5m: about an hour of trying). */
        @WithDefault("20")
        int maxAttempts();

        /** Deliveries attempted per run. */
        @WithDefault("50")
        int batchSize();

        /**
         * How long the alert of a detection whose mode is revert waits for the revert's outcome before it goes out
         * without it; normally the revert settles it within a second.
         */
        @WithDefault("60s")
        Duration revertHold();

        /** endsAt of an alert about a single change (rather than a condition that clears): detection + this. */
        @WithDefault("4h")
        Duration eventAlertDuration();

        Links links();

        /** Base URLs alerts link to; a link is left out when its base URL is not set. */
        interface Links {
            /** audit-service, for the suspect change's ledger entry (with its inclusion proof) and the flag's timeline. */
            Optional<String> auditUrl();

            /** approval-service's console ({@code .../console}), for the flag's page and the change request's. */
            Optional<String> consoleUrl();
        }
    }
}
