package io.flagledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import io.flagledger.testsupport.prometheus.AlertmanagerServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An alert queued while Alertmanager is down survives a crash of monitor-service: a production change without a
 * change request is detected, its alert fails to reach Alertmanager (nothing listens on its port yet) and waits in
 * the database; monitor-service is killed (SIGKILL) and started again; Alertmanager comes up; its receiver is
 * notified of the alert exactly once.
 */
class AlertsSurviveRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLAG = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    private static final KeyPair PRODUCER = Ed25519Keys.generate();
    private static Stack stack;
    private static AlertmanagerServer alertmanager;
    private static HttpServer pager;
    private static final List<JsonNode> pages = new ArrayList<>();
    private static int alertmanagerPort;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        work = root.resolve("e2e/target/alerts-restart");
        alertmanagerPort = Stack.freePort();
        pager = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pager.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            synchronized (pages) {
                pages.add(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        pager.start();
        String prefix = "flagledger.audit.trusted-keys.\"flag-api-restart-test\".";
        stack = Stack.start(root, work.resolve("stack"), List.of("monitor-service"), Map.of("monitor-service", Map.of(
                "flagledger.monitor.alerts.alertmanager-url", "http://127.0.0.1:" + alertmanagerPort,
                "flagledger.monitor.alerts.initial-backoff", "500ms",
                "flagledger.monitor.alerts.max-backoff", "2s",
                "flagledger.monitor.rules.unapproved-change.grace", "1s",
                // one alert about the change, whatever the time of day
                "flagledger.monitor.rules.after-hours.mode", "off",
                // this test plays flag-api with a key of its own
                prefix + "service", "flag-api",
                prefix + "public-key", Ed25519Keys.encodePublic(PRODUCER.getPublic()))));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, alertmanager}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("Stopping " + c + " failed: " + e);
            }
        }
        if (pager != null) {
            pager.stop(0);
        }
    }

    @Test
    void anAlertQueuedBeforeACrashArrivesOnceAfterTheRestart() throws Exception {
        AuditEvent change = new EventSigner("flag-api-restart-test", PRODUCER.getPrivate()).sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(FLAG).environment("production")
                .previousState(state(false, 1)).newState(state(true, 2)).scope(changed())
                .correlationId("ci-" + FLAG).reason("no change request").build());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka().bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("flag.changes", "shop/" + FLAG, EventJson.toJson(change))).get();
        }

        // detected, queued, and failing: Alertmanager is down
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> attempts() >= 2);
        assertThat(delivered()).isFalse();

        stack.crashAndRestart("monitor-service");
        alertmanager = AlertmanagerServer.start(work.resolve("alertmanager"), alertmanagerPort,
                "http://127.0.0.1:" + pager.getAddress().getPort() + "/", Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> firing().size() == 1);
        JsonNode alert = firing().get(0);
        assertThat(alert.path("annotations").path("correlation_id").asText()).isEqualTo(change.correlationId());
        Thread.sleep(4000); // more relay runs and Alertmanager group intervals: still one notification
        assertThat(firing()).hasSize(1);
        assertThat(delivered()).isTrue();
        System.out.printf("[e2e] alert to Alertmanager: %d attempt(s) across a crash of monitor-service, one notification%n", attempts());
    }

    private static List<JsonNode> firing() {
        synchronized (pages) {
            List<JsonNode> found = new ArrayList<>();
            for (JsonNode page : pages) {
                for (JsonNode a : page.path("alerts")) {
                    if (a.path("labels").path("flag").asText().equals(FLAG) && a.path("labels").path("rule").asText().equals("unapproved-change")
                            && a.path("status").asText().equals("firing")) {
                        found.add(a);
                    }
                }
            }
            return found;
        }
    }

    private static long attempts() throws Exception {
        return scalar("select coalesce(max(d.attempts), 0) from alert_delivery d join alert a on a.id = d.alert_id where a.flag_key = ?");
    }

    private static boolean delivered() throws Exception {
        return scalar("select count(*) from alert_delivery d join alert a on a.id = d.alert_id "
                + "where a.flag_key = ? and d.delivered_at is not null") == 1;
    }

    private static long scalar(String sql) throws Exception {
        PostgresDatabase db = stack.database("monitor-service");
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             var statement = connection.prepareStatement(sql)) {
            statement.setString(1, FLAG);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static ObjectNode changed() {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.putArray("changed").add("enabled");
        return scope;
    }

    private static ObjectNode state(boolean enabled, long version) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("enabled", enabled);
        s.put("offVariation", "off");
        s.putArray("targets");
        s.putArray("rules");
        s.putObject("fallthrough").put("variation", "on");
        s.put("version", version);
        return s;
    }
}
