package io.flagledger.testsupport.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class PostgresDatabaseTest {

    @Test
    void createsAndDropsADatabase() throws Exception {
        long begin = System.nanoTime();
        PostgresDatabase db = PostgresDatabase.create("flagledger_ts");
        System.out.println("[timing] PostgreSQL database " + db.name() + " created in "
                + (System.nanoTime() - begin) / 1_000_000 + " ms");
        try {
            assertTrue(db.name().matches("flagledger_ts_[a-z0-9]{10}"), db.name());
            assertTrue(db.jdbcUrl().startsWith("jdbc:postgresql://"), db.jdbcUrl());
            assertEquals("postgresql://" + db.jdbcUrl().substring("jdbc:postgresql://".length()), db.reactiveUrl());
            assertTrue(exists(db, db.name()), "database not visible after create");
            try (Connection c = connect(db, db.jdbcUrl()); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int primary key)");
                st.execute("INSERT INTO t VALUES (1)");
                // an open connection must not keep close() from dropping it (WITH (FORCE))
                db.close();
            }
            assertFalse(exists(db, db.name()), "database still there after close");
        } finally {
            db.close();
        }
    }

    @Test
    void resourceProvidesQuarkusDatasourceConfig() throws Exception {
        PostgresDatabaseResource resource = new PostgresDatabaseResource();
        resource.init(Map.of("prefix", "flagledger_res"));
        Map<String, String> config = resource.start();
        try {
            String jdbc = config.get("quarkus.datasource.jdbc.url");
            assertTrue(jdbc.matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/flagledger_res_[a-z0-9]{10}"), jdbc);
            assertEquals(jdbc.substring(5), config.get("quarkus.datasource.reactive.url"));
            assertEquals("postgres", config.get("quarkus.datasource.username"));
            assertTrue(config.containsKey("quarkus.datasource.password"));
        } finally {
            resource.stop();
        }
    }

    @Test
    void failsFastWithAHintWhenNoServerAnswers() {
        int closedPort = io.flagledger.testsupport.internal.Processes.freePort();
        System.setProperty("FLAGLEDGER_PG_PORT", Integer.toString(closedPort));
        try {
            long begin = System.nanoTime();
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> PostgresDatabase.create("flagledger_nope"));
            assertTrue(System.nanoTime() - begin < 5_000_000_000L, "took more than 5 s");
            assertTrue(e.getMessage().contains("pg_ctlcluster --skip-systemctl-redirect 15 main start"), e.getMessage());
        } finally {
            System.clearProperty("FLAGLEDGER_PG_PORT");
        }
    }

    private static boolean exists(PostgresDatabase db, String name) throws Exception {
        String admin = db.jdbcUrl().substring(0, db.jdbcUrl().lastIndexOf('/')) + "/postgres";
        try (Connection c = connect(db, admin);
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static Connection connect(PostgresDatabase db, String url) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", db.username());
        if (!db.password().isEmpty()) {
            p.setProperty("password", db.password());
        }
        return new org.postgresql.Driver().connect(url, p);
    }
}
