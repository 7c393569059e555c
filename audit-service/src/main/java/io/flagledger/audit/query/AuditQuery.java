package io.flagledger.audit.query;

import io.flagledger.common.problem.ProblemException;
import java.util.ArrayList;
import java.util.List;

/** An audit search: a filter, newest first, a page of {@code limit} entries below the cursor sequence number. */
public record AuditQuery(AuditFilter filter, Long before, int limit) {

    public static final int MAX_LIMIT = 500;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        if (before != null && before < 1) {
            throw ProblemException.badRequest("cursor must be a positive sequence number");
        }
    }

    /** SQL and its parameters, newest first. */
    public record Sql(String text, List<Object> parameters) {
    }

    /** One row more than the limit, so the caller knows whether there is a next page. */
    public Sql toSql() {
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        filter.where(conditions, parameters);
        if (before != null) {
            parameters.add(before);
            conditions.add("seq < $" + parameters.size());
        }
        parameters.add(limit + 1);
        String where = conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
        return new Sql("select seq, received_at, canonical_json from ledger_entry" + where
                + " order by seq desc limit $" + parameters.size(), parameters);
    }

    /** Sequence numbers of all matching entries, oldest first, at most {@code max} (one more tells it overflowed). */
    public static Sql seqs(AuditFilter filter, int max) {
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        filter.where(conditions, parameters);
        parameters.add(max + 1);
        String where = conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
        return new Sql("select seq from ledger_entry" + where + " order by seq limit $" + parameters.size(), parameters);
    }
}
