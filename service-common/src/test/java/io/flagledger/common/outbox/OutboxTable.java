package io.flagledger.common.outbox;

import io.vertx.mutiny.sqlclient.Pool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code outbox_event} table exactly as the services' Flyway migrations create it: the outbox statements of
 * flag-api's V1, then its parking migration (approval-service's and monitor-service's are the same). Read from the
 * migration files, so the relay is tested against the real schema and indexes, not a copy.
 */
final class OutboxTable {

    private static final Path MIGRATIONS = Path.of("..", "flag-api", "src", "main", "resources", "db", "migration");
    private static final Pattern OUTBOX_STATEMENT = Pattern.compile(
            "create (?:table|index \\w+ on) outbox_event\\b[^;]*;", Pattern.CASE_INSENSITIVE);

    private OutboxTable() {
    }

    /** Drops and recreates the table (the tests' rows are disposable). */
    static void create(Pool pool, Duration timeout) {
        List<String> statements = new ArrayList<>();
        statements.add("drop table if exists outbox_event");
        Matcher v1 = OUTBOX_STATEMENT.matcher(read("V1__flags_and_outbox.sql"));
        while (v1.find()) {
            statements.add(v1.group());
        }
        for (String statement : withoutComments(read("V7__outbox_parking.sql")).split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement);
            }
        }
        for (String statement : statements) {
            pool.query(statement).execute().await().atMost(timeout);
        }
    }

    private static String read(String migration) {
        try {
            return Files.readString(MIGRATIONS.resolve(migration));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutComments(String sql) {
        return sql.replaceAll("(?m)--.*$", "");
    }
}
