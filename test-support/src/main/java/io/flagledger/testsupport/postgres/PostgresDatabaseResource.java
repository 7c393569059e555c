package io.flagledger.testsupport.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quarkus test resource: a fresh {@link PostgresDatabase} for each start (i.e. per Quarkus application under
 * test), dropped on stop.
 * <p>
 * Returns {@code quarkus.datasource.reactive.url} ({@code postgresql://host:port/db}),
 * {@code quarkus.datasource.jdbc.url}, {@code quarkus.datasource.username}, {@code quarkus.datasource.password}
 * (and disables datasource Dev Services). Init arg {@code prefix} (default {@code flagledger_test}) sets the
 * database name prefix.
 */
public class PostgresDatabaseResource implements QuarkusTestResourceLifecycleManager {

    private String prefix = "flagledger_test";
    private PostgresDatabase database;

    @Override
    public void init(Map<String, String> initArgs) {
        String p = initArgs.get("prefix");
        if (p != null && !p.isBlank()) {
            prefix = p.trim();
        }
    }

    @Override
    public Map<String, String> start() {
        long begin = System.nanoTime();
        database = PostgresDatabase.create(prefix);
        System.out.println("[flagledger] PostgreSQL database " + database.name() + " created in "
                + (System.nanoTime() - begin) / 1_000_000 + " ms");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.reactive.url", database.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
        config.put("quarkus.datasource.username", database.username());
        config.put("quarkus.datasource.password", database.password());
        config.put("quarkus.datasource.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        if (database != null) {
            try {
                database.close();
            } finally {
                database = null;
            }
        }
    }
}
