package io.flagledger.monitor.flow;

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
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.prometheus.AlertmanagerServer;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reliable alert delivery against real Alertmanagers. The monitor knows an HA pair; the test takes the standby down
 * (killed, its port left unanswered). An error spike is reverted while the standby is down: the primary gets the P1
 * alert at once, the standby's delivery waits in the database and is retried with backoff. Then the standby starts,
 * and its receiver (Alertmanager's webhook, i.e. what the on-call person would be paged with) is notified exactly
 * once of the P1 alert, enriched (owner, risk, approvers, change request, deployment, pull request, links). When the
 * error rate recovers, the alert is resolved: Alertmanager notifies "resolved" and the webhook gets endsAt.
 */
@QuarkusTest
class AlertDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String FLAG = "spiky-delivery";
    private static Kafka kafka;
    private static HttpServer pager;
    private static final List<JsonNode> pages = new ArrayList<>();
    private static AlertmanagerServer standby;

    @Inject
    Pool pool;

    @BeforeAll
    static void connect() throws Exception {
        kafka = new Kafka();
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
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
        // the standby stays up for the tests after this one (stopped when the JVM exits); only its pager goes
        pager.stop(0);
    }

    @Test
    void theP1AlertOfARevertDuringAnAlertmanagerOutageArrivesOnceEnrichedAndIsResolvedWhenErrorsStop() throws Exception {
        long standbyPid = Long.parseLong(System.getProperty("flagledger.test.standby-alertmanager-pid"));
        ProcessHandle.of(standbyPid).ifPresent(p -> {
            p.destroy();
            p.onExit().join();
        });
        kafka.publish("flag.changes", created());
        kafka.send("service.health", "delivery", Kafka.healthSample("delivery", 0.001, Instant.now().minusSeconds(5)));
        AuditEvent change = toggle();
        kafka.publish("flag.changes", change);
        kafka.send("service.health", "delivery", Kafka.healthSample("delivery", 0.35, change.timestamp().plusSeconds(1)));

        await().atMost(Duration.ofSeconds(30)).until(() -> FakeFlagApiResource.requestsTo("/flags/" + FLAG + "/"), r -> r.size() == 1);

        // The primary Alertmanager has it at once; the standby's delivery is queued and failing.
        JsonNode primary = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> find(JSON.readTree(get(System.getProperty("flagledger.test.alertmanager") + "/api/v2/alerts"))), a -> a != null);
        assertThat(primary.path("labels").path("severity").asText()).isEqualTo("p1");
        assertThat(primary.path("labels").path("revert").asText()).isEqualTo("reverted");
        Row queued = await().atMost(Duration.ofSeconds(30)).until(() -> delivery("alertmanager-2"),
                r -> r != null && r.getInteger("attempts") >= 2);
        assertThat(queued.getValue("delivered_at")).isNull();
        assertThat(queued.getValue("dead_at")).isNull();
        assertThat(queued.getString("last_error")).contains("ConnectException");
        assertThat(delivery("alertmanager").getValue("delivered_at")).isNotNull();

        // The standby comes up: the alert that waited for it arrives, once.
        int port = Integer.parseInt(System.getProperty("flagledger.test.standby-alertmanager-port"));
        standby = AlertmanagerServer.start(Files.createTempDirectory("standby-alertmanager"), port,
                "http://127.0.0.1:" + pager.getAddress().getPort() + "/", Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> pagesAbout("firing").size() == 1);
        JsonNode alert = find(JSON.readTree(standby.alertsJson()));
        assertThat(alert).isNotNull();
        JsonNode labels = alert.path("labels");
        assertThat(labels.path("severity").asText()).isEqualTo("p1");
        assertThat(labels.path("revert").asText()).isEqualTo("reverted");
        assertThat(labels.path("owner").asText()).isEqualTo("team-payments");
        assertThat(labels.path("risk").asText()).isEqualTo("high");
        JsonNode annotations = alert.path("annotations");
        assertThat(annotations.path("approvers").asText()).isEqualTo("ann, bob");
        assertThat(annotations.path("change_request").asText()).isEqualTo("cr-delivery");
        assertThat(annotations.path("deployment_id").asText()).isEqualTo("deploy-7");
        assertThat(annotations.path("pull_request").asText()).isEqualTo("PR-99");
        assertThat(annotations.path("correlation_id").asText()).isEqualTo(change.correlationId());
        assertThat(annotations.path("ledger_entry_url").asText())
                .isEqualTo("https://audit.example.test/api/v1/audit/events/" + change.eventId());
        assertThat(annotations.path("console_url").asText()).isEqualTo("https://approvals.example.test/console/flags/shop/" + FLAG);
        assertThat(annotations.path("change_request_url").asText()).isEqualTo("https://approvals.example.test/console/requests/cr-delivery");
        assertThat(alert.path("generatorURL").asText()).isEqualTo("https://approvals.example.test/console/flags/shop/" + FLAG);
        // Several more relay runs and Alertmanager group intervals: still one notification, one delivery.
        Thread.sleep(3000);
        assertThat(pagesAbout("firing")).hasSize(1);
        assertThat(delivery("alertmanager-2").getValue("delivered_at")).isNotNull();

        // The ledger says who was told, once every receiver was.
        AuditEvent sent = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(change, "error-spike"),
                events -> events.stream().anyMatch(e -> e.action().equals("monitor.alert.sent"))).stream()
                .filter(e -> e.action().equals("monitor.alert.sent")).findFirst().orElseThrow();
        assertThat(sent.scope().path("receivers").path("alertmanager").asText()).isEqualTo("sent");
        assertThat(sent.scope().path("receivers").path("alertmanager-2").asText()).isEqualTo("sent");
        assertThat(sent.scope().path("receivers").path("webhook").asText()).isEqualTo("sent");
        assertThat(kafka.actionsFor(change, "error-spike").stream().filter(e -> e.action().equals("monitor.alert.sent"))).hasSize(1);

        // Errors stop: the alert is resolved everywhere (endsAt), and the pager hears "resolved" once.
        kafka.send("service.health", "delivery", Kafka.healthSample("delivery", 0.001, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> pagesAbout("resolved").size() == 1);
        JsonNode resolvedWebhook = await().atMost(Duration.ofSeconds(10)).until(() -> FakeFlagApiResource.requestsTo("/webhook").stream()
                .map(w -> w.path("body")).filter(b -> b.path("flag").asText().equals(FLAG) && b.path("status").asText().equals("resolved"))
                .findFirst().orElse(null), b -> b != null);
        assertThat(Instant.parse(resolvedWebhook.path("ends_at").asText())).isBefore(Instant.now());
        assertThat(resolvedWebhook.path("fingerprint").asText()).hasSize(64);
        await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(change, "error-spike").stream()
                .anyMatch(e -> e.action().equals("monitor.alert.resolved")));
    }

    /** Our error-spike alert with {@code status} in each Alertmanager webhook notification (one per group notification). */
    private static List<JsonNode> pagesAbout(String status) {
        synchronized (pages) {
            List<JsonNode> about = new ArrayList<>();
            for (JsonNode page : pages) {
                for (JsonNode a : page.path("alerts")) {
                    if (a.path("labels").path("flag").asText().equals(FLAG) && a.path("labels").path("rule").asText().equals("error-spike")
                            && a.path("status").asText().equals(status)) {
                        about.add(a);
                    }
                }
            }
            return about;
        }
    }

    private static JsonNode find(JsonNode alerts) {
        for (JsonNode a : alerts) {
            if (a.path("labels").path("flag").asText().equals(FLAG) && a.path("labels").path("rule").asText().equals("error-spike")) {
                return a;
            }
        }
        return null;
    }

    private Row delivery(String receiver) {
        var rows = pool.preparedQuery("select d.* from alert_delivery d join alert a on a.id = d.alert_id "
                        + "where a.flag_key = $1 and a.rule = 'error-spike' and d.receiver = $2 and d.kind = 'firing'")
                .execute(Tuple.of(FLAG, receiver)).await().atMost(Duration.ofSeconds(10));
        return rows.iterator().hasNext() ? rows.iterator().next() : null;
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static AuditEvent created() {
        ObjectNode flag = JsonNodeFactory.instance.objectNode().put("key", FLAG).put("owner", "team-payments").put("risk", "high");
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.created").project("shop").flagId(FLAG).newState(flag)
                .correlationId("ci-created-" + FLAG).reason("new").build());
    }

    /** An approved production toggle carrying the approval, a deployment and a pull request. */
    private static AuditEvent toggle() {
        ObjectNode scope = JsonNodeFactory.instance.objectNode().put("deployment_id", "deploy-7").put("pull_request", "PR-99");
        scope.putArray("changed").add("enabled");
        ObjectNode approval = scope.putObject("approval").put("change_request_id", "cr-delivery");
        approval.putArray("approvers").add("ann").add("bob");
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(FLAG).environment("production")
                .previousState(MonitorFlowTest.state(false, 1)).newState(MonitorFlowTest.state(true, 2))
                .scope(scope).correlationId("ci-" + FLAG).reason("canary").build());
    }
}
