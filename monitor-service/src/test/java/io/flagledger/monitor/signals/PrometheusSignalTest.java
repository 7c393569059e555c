package io.flagledger.monitor.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Error rates read from a real Prometheus scraping an application, and alerts delivered to a real Alertmanager:
 * the flag is switched on, the application starts failing 40% of its requests, the monitor blames the change,
 * reverts it and Alertmanager holds a P1 alert with the rule, flag, environment and actor labels.
 */
@QuarkusTest
class PrometheusSignalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    PrometheusClient prometheus;

    @Test
    void errorSpikeSeenInPrometheusIsRevertedAndAlertedToAlertmanager() throws Exception {
        String query = "sum(rate(demo_requests_total{job=\"storefront\",code=~\"5..\"}[5s])) / sum(rate(demo_requests_total{job=\"storefront\"}[5s]))";
        await().atMost(Duration.ofSeconds(30)).until(() -> prometheus.valueAt(query, Instant.now()).isPresent());
        assertThat(prometheus.valueAt(query, Instant.now()).getAsDouble()).isLessThan(0.01);

        AuditEvent change = toggleOn("storefront-v2");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBrokerResource.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("flag.changes", "shop/storefront-v2", EventJson.toJson(change))).get();
        }
        HTTP.send(HttpRequest.newBuilder(URI.create(System.getProperty("flagledger.test.storefront") + "/ratio?value=0.4"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());

        JsonNode alert = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode a : JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(System.getProperty("flagledger.test.alertmanager")
                    + "/api/v2/alerts")).build(), HttpResponse.BodyHandlers.ofString()).body())) {
                if (a.path("labels").path("flag").asText().equals("storefront-v2") && a.path("labels").path("rule").asText().equals("error-spike")) {
                    return a;
                }
            }
            return null;
        }, a -> a != null);
        JsonNode labels = alert.path("labels");
        assertThat(labels.path("alertname").asText()).isEqualTo("FlagledgerFlagAnomaly");
        assertThat(labels.path("environment").asText()).isEqualTo("production");
        assertThat(labels.path("actor").asText()).isEqualTo("requester");
        assertThat(labels.path("severity").asText()).isEqualTo("p1");
        assertThat(labels.path("revert").asText()).isEqualTo("reverted");
        assertThat(alert.path("annotations").path("correlation_id").asText()).isEqualTo(change.correlationId());
        HTTP.send(HttpRequest.newBuilder(URI.create(System.getProperty("flagledger.test.storefront") + "/ratio?value=0"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private static AuditEvent toggleOn(String flag) {
        ObjectNode before = JsonNodeFactory.instance.objectNode().put("enabled", false).put("offVariation", "off");
        before.putArray("targets");
        before.putArray("rules");
        before.putObject("fallthrough").put("variation", "on");
        ObjectNode after = before.deepCopy().put("enabled", true).put("version", 2);
        before.put("version", 1);
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(flag).environment("production")
                .previousState(before).newState(after).correlationId("ci-" + flag).reason("canary").build());
    }
}
