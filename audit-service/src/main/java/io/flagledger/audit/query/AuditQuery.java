package io.flagledger.audit.query;

import io.flagledger.common.problem.ProblemException;
import java.util.ArrayList;
import java.util.List;

/** Filters of an audit search; turns itself into a parameterised WHERE clause (never string-built from input). */
public record AuditQuery(String project, String flag, String environment, String actor, String action,
                         String correlationId, Long before, int limit) {

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

    public Sql toSql() {
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        add(conditions, parameters, "project", project);
        add(conditions, parameters, "flag_id", flag);
        add(conditions, parameters, "environment", environment);
        add(conditions, parameters, "actor_id", actor);
        add(conditions, parameters, "action", action);
        add(conditions, parameters, "correlation_id", correlationId);
        if (before != null) {
            parameters.add(before);
            conditions.add("seq < $" + parameters.size());
        }
        parameters.add(limit + 1);
        String where = conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
        return new Sql("select seq, received_at, canonical_json from ledger_entry" + where
                + " order by seq desc limit $" + parameters.size(), parameters);
    }

    private static void add(List<String> conditions, List<Object> parameters, String column, String value) {
        if (value != null && !value.isBlank()) {
            parameters.add(value);
            conditions.add(column + " = $" + parameters.size());
        }
    }
}
