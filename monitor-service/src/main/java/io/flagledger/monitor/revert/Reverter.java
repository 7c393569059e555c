package io.flagledger.monitor.revert;

import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.MonitorConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Decides whether a detection's suspect change may be reverted and, if so, reverts it through flag-api. Runs on
 * the caller's transaction, which holds an advisory lock on the flag and environment, so two replicas (or two rules)
 * never revert the same flag in the same window.
 */
@ApplicationScoped
public class Reverter {

    private static final Logger LOG = Logger.getLogger(Reverter.class);

    @Inject
    FlagApiClient flagApi;

    @Inject
    MonitorConfig config;

    @Inject
    Clock clock;

    public Uni<RevertResult> revert(SqlConnection tx, Detection detection) {
        FlagChange suspect = detection.suspect();
        if (suspect.isRevert()) {
            return done(RevertOutcome.SKIPPED_REVERT_OF_REVERT, "the suspect change is itself a revert");
        }
        if (suspect.breakGlass()) {
            return done(RevertOutcome.SKIPPED_BREAK_GLASS, "not reverted: the suspect change is a break-glass kill "
                    + "(the emergency brake); only a person may turn the feature back on");
        }
        if (!suspect.isEnvironmentChange() || suspect.configBefore().isEmpty()) {
            return done(RevertOutcome.SKIPPED_NOTHING_TO_RESTORE, "the suspect change has no previous environment state");
        }
        if (config.dryRun()) {
            return done(RevertOutcome.DRY_RUN, "dry-run: would restore version " + suspect.previousState().path("version").asLong());
        }
        FlagKey key = suspect.key();
        OffsetDateTime windowStart = OffsetDateTime.ofInstant(clock.instant().minus(config.revert().window()), ZoneOffset.UTC);
        return tx.preparedQuery("select pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of(key.toString()))
                .chain(() -> tx.preparedQuery("select count(*) as n from revert_attempt where project = $1 and flag_key = $2 "
                                + "and environment = $3 and outcome = 'REVERTED' and attempted_at >= $4")
                        .execute(Tuple.of(key.project(), key.flag(), key.environment(), windowStart)))
                .chain(rows -> rows.iterator().next().getLong("n") > 0
                        ? done(RevertOutcome.SKIPPED_RATE_LIMITED, key + " was already reverted within "
                                + config.revert().window().toMinutes() + " min")
                        : callFlagApi(detection));
    }

    private Uni<RevertResult> callFlagApi(Detection detection) {
        FlagChange suspect = detection.suspect();
        return flagApi.revert(suspect, detection.rule())
                .map(response -> switch (response.status()) {
                    case 200 -> new RevertResult(RevertOutcome.REVERTED, "restored the configuration of version "
                            + suspect.previousState().path("version").asLong(), 200, flagApi.version(response), clock.instant());
                    case 412 -> new RevertResult(RevertOutcome.SKIPPED_CHANGED_SINCE, "skipped, changed since: "
                            + suspect.key() + " is no longer at version " + suspect.newVersion(), 412, null, clock.instant());
                    default -> new RevertResult(RevertOutcome.FAILED, "flag-api answered " + response.status() + ": "
                            + abbreviate(response.body()), response.status(), null, clock.instant());
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Revert of %s failed: %s", suspect.eventId(), e.toString());
                    return new RevertResult(RevertOutcome.FAILED, "flag-api not reached: " + e, null, null, clock.instant());
                });
    }

    private Uni<RevertResult> done(RevertOutcome outcome, String detail) {
        return Uni.createFrom().item(new RevertResult(outcome, detail, null, null, clock.instant()));
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }
}
