package io.flagledger.testsupport.postgres;

import io.flagledger.testsupport.internal.Processes;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * A fresh, uniquely named database on the PostgreSQL server the tests use, dropped on {@link #close()}.
 * <p>
 * Server and credentials come from the environment: {@code FLAGLEDGER_PG_HOST} (default 127.0.0.1),
 * {@code FLAGLEDGER_PG_PORT} (5432), {@code FLAGLEDGER_PG_USER} (postgres), {@code FLAGLEDGER_PG_PASSWORD} (empty).
 * The same names are also read as system properties ({@code -DFLAGLEDGER_PG_PORT=...}), which win over the
 * environment.
 */
public final class PostgresDatabase implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_SECONDS = 3;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String name;
    private volatile boolean closed;

    private PostgresDatabase(String host, int port, String user, String password, String name) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.name = name;
    }

    /**
     * Creates database {@code <namePrefix>_<random>}. Fails within about 5 s, saying how to start PostgreSQL, if no
     * server answers.
     *
     * @param namePrefix lower-case letters, digits and underscores, starting with a letter
     */
    public static PostgresDatabase create(String namePrefix) {
        String prefix = namePrefix.toLowerCase(Locale.ROOT);
        if (!prefix.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("database name prefix must match [a-z][a-z0-9_]{0,40}: " + namePrefix);
        }
        String host = setting("FLAGLEDGER_PG_HOST", "127.0.0.1");
        int port = Integer.parseInt(setting("FLAGLEDGER_PG_PORT", "5432"));
        String user = setting("FLAGLEDGER_PG_USER", "postgres");
        String password = setting("FLAGLEDGER_PG_PASSWORD", "");
        String name = prefix + "_" + Processes.randomSuffix(10);
        PostgresDatabase db = new PostgresDatabase(host, port, user, password, name);
        try (Connection c = db.adminConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + host + ":" + port
                    + " as " + user + ": " + e.getMessage(), e);
        }
        return db;
    }

    public String name() {
        return name;
    }

    /** {@code jdbc:postgresql://host:port/name}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostPort() + "/" + name;
    }

    /** {@code postgresql://host:port/name}, the form {@code quarkus.datasource.reactive.url} accepts. */
    public String reactiveUrl() {
        return "postgresql://" + hostPort() + "/" + name;
    }

    public String username() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Drops the database ({@code WITH (FORCE)}, so open connections do not block it). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Connection c = adminConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + jdbcUrl() + "]";
    }

    // ------------------------------------------------------------------------------------------------------------

    private String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private Connection adminConnection() throws SQLException {
        if (!Processes.canConnect(host, port, CONNECT_TIMEOUT_SECONDS * 1000)) {
            throw new IllegalStateException("No PostgreSQL server answers on " + hostPort()
                    + ". Start it, e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start` (Debian, as root), "
                    + "or point FLAGLEDGER_PG_HOST / FLAGLEDGER_PG_PORT / FLAGLEDGER_PG_USER / FLAGLEDGER_PG_PASSWORD "
                    + "at a running server.");
        }
        SQLException first = null;
        for (String adminDb : new String[] {"postgres", "template1"}) {
            try {
                return connect(adminDb);
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                }
                // 3D000 = invalid_catalog_name: try the next maintenance database
                if (!"3D000".equals(e.getSQLState())) {
                    break;
                }
            }
        }
        throw first;
    }

    private Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", "5");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "flagledger-test-support");
        // The driver directly (not DriverManager), so class-loader tricks in test frameworks cannot hide it.
        Connection c = new org.postgresql.Driver().connect("jdbc:postgresql://" + hostPort() + "/" + database, props);
        if (c == null) {
            throw new SQLException("PostgreSQL driver refused the URL");
        }
        c.setAutoCommit(true);
        return c;
    }

    private static String setting(String name, String defaultValue) {
        String v = System.getProperty(name);
        if (v == null) {
            v = System.getenv(name);
        }
        return v == null || (v.isEmpty() && !name.endsWith("PASSWORD")) ? defaultValue : v;
    }
}
