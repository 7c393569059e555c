package io.flagledger.monitor.stale;

import io.flagledger.monitor.changes.Exposure;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.rules.StaleFlagRule.Candidate;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Owner, expiry and "fully rolled out since" of every flag, learned from flag.changes, for the stale-flag rule. */
@ApplicationScoped
public class FlagStates {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String METADATA_UPDATED = "flag.metadata.updated";

    @Inject
    Pool pool;

    public void record(FlagChange change) {
        // Both events carry the whole flag: a new owner, expiry or risk replaces the old (alerts route by owner).
        if ((FlagChange.CREATED.equals(change.action()) || METADATA_UPDATED.equals(change.action())) && change.newState() != null) {
            String owner = change.newState().path("owner").asText(null);
            String expires = change.newState().path("expiresAt").asText(null);
            String risk = change.newState().path("risk").asText(null);
            pool.preparedQuery("insert into flag_meta (project, flag_key, owner, expires_at, risk) values ($1, $2, $3, $4, $5) "
                            + "on conflict (project, flag_key) do update set owner = excluded.owner, expires_at = excluded.expires_at, "
                            + "risk = excluded.risk")
                    .execute(Tuple.of(change.project(), change.flag(), owner,
                            expires == null ? null : OffsetDateTime.ofInstant(Instant.parse(expires), ZoneOffset.UTC), risk))
                    .await().atMost(TIMEOUT);
        } else if (change.isEnvironmentChange()) {
            // Keep the first moment of an uninterrupted full rollout; any other state clears it.
            pool.preparedQuery("insert into flag_state (project, flag_key, environment, fully_rolled_out_since) values ($1, $2, $3, $4) "
                            + "on conflict (project, flag_key, environment) do update set fully_rolled_out_since = case "
                            + "when excluded.fully_rolled_out_since is null then null "
                            + "else coalesce(flag_state.fully_rolled_out_since, excluded.fully_rolled_out_since) end")
                    .execute(Tuple.of(change.project(), change.flag(), change.environment(), Exposure.fullyRolledOut(change.newState())
                            ? OffsetDateTime.ofInstant(change.timestamp(), ZoneOffset.UTC) : null))
                    .await().atMost(TIMEOUT);
        }
    }

    /** Flags with an expiry date (one candidate per flag) and environments fully rolled out (one per environment). */
    public List<Candidate> candidates() {
        List<Candidate> candidates = new ArrayList<>();
        for (Row row : pool.query("select project, flag_key, owner, expires_at from flag_meta where expires_at is not null")
                .execute().await().atMost(TIMEOUT)) {
            candidates.add(new Candidate(new FlagKey(row.getString("project"), row.getString("flag_key"), null),
                    row.getString("owner"), row.getOffsetDateTime("expires_at").toInstant(), null));
        }
        for (Row row : pool.query("select s.project, s.flag_key, s.environment, s.fully_rolled_out_since, m.owner from flag_state s "
                        + "left join flag_meta m on m.project = s.project and m.flag_key = s.flag_key "
                        + "where s.fully_rolled_out_since is not null").execute().await().atMost(TIMEOUT)) {
            candidates.add(new Candidate(new FlagKey(row.getString("project"), row.getString("flag_key"), row.getString("environment")),
                    row.getString("owner"), null, row.getOffsetDateTime("fully_rolled_out_since").toInstant()));
        }
        return candidates;
    }
}
