package io.flagledger.monitor.approvals;

import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.monitor.changes.FlagChange;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/** Approved change requests seen on approval.events, kept in the database so a restart does not forget them. */
@ApplicationScoped
public class ApprovalStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    public void recordApproval(String changeRequestId, String project, String flag, String environment, Instant at) {
        pool.preparedQuery("insert into approved_change_request (change_request_id, project, flag_key, environment, approved_at) "
                        + "values ($1, $2, $3, $4, $5) on conflict (change_request_id) do nothing")
                .execute(Tuple.of(changeRequestId, project, flag, environment, OffsetDateTime.ofInstant(at, ZoneOffset.UTC)))
                .await().atMost(TIMEOUT);
    }

    /**
     * Approved, and for this flag and environment (a request approved for another flag does not count). A flag-wide
     * change (archive, restore, metadata) matches a flag-wide request, whose environment is {@code *}.
     */
    public boolean approved(String changeRequestId, FlagChange change) {
        String environment = change.isFlagWideChange() ? ApprovalClaims.ALL_ENVIRONMENTS : change.environment();
        RowSet<Row> rows = pool.preparedQuery("select project, flag_key, environment from approved_change_request where change_request_id = $1")
                .execute(Tuple.of(changeRequestId)).await().atMost(TIMEOUT);
        for (Row row : rows) {
            return matches(row.getString("project"), change.project()) && matches(row.getString("flag_key"), change.flag())
                    && matches(row.getString("environment"), environment);
        }
        return false;
    }

    private static boolean matches(String approved, String actual) {
        return approved == null || Objects.equals(approved, actual);
    }
}
