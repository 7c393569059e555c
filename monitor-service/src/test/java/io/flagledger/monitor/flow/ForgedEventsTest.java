package io.flagledger.monitor.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forged events against the running monitor, real Kafka and PostgreSQL: a correctly signed change is acted upon,
 * the same change with an edited new_state or signed by a key nobody trusts is not (no detection, no revert), and
 * each refused record raises one signed monitor.event_rejected alert on security.events naming its event id, topic,
 * partition, offset and reason. The consumer keeps going after them, and a redelivered event is acted on once.
 */
@QuarkusTest
class ForgedEventsTest {

    private static final EventSigner INTRUDER = new EventSigner("flag-api-test-2", Ed25519Keys.generate().getPrivate());
    private static Kafka kafka;
    private static KafkaProducer<String, String> producer;
    private static KafkaConsumer<String, String> security;
    private static final List<AuditEvent> alerts = new ArrayList<>();

    @BeforeAll
    static void connect() {
        kafka = new Kafka();
        String bootstrap = KafkaBrokerResource.bootstrapServers();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer());
        security = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "monitor-test-security-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
        security.subscribe(List.of("security.events"));
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
        producer.close();
        security.close();
    }

    @Test
    void onlyCorrectlySignedChangesAreActedUponAndForgeriesRaiseASecurityAlert() {
        // All on one partition (one Kafka key): when the last one has been acted upon, the ones before were judged.
        AuditEvent signed = toggle("verify-signed", ProducerKeysResource.signer("flag-api"));
        ObjectNode tampered = (ObjectNode) EventJson.mapper().valueToTree(toggle("verify-tampered", ProducerKeysResource.signer("flag-api")));
        ((ObjectNode) tampered.get("new_state")).put("enabled", false).putObject("fallthrough").put("variation", "everyone");
        String tamperedId = tampered.get("event_id").asText();
        AuditEvent unknownKey = toggle("verify-unknown-key", INTRUDER);
        AuditEvent sentinel = toggle("verify-sentinel", ProducerKeysResource.signer("flag-api"));

        RecordMetadata tamperedAt = send("flag.changes", tampered.toString());
        RecordMetadata unknownAt = send("flag.changes", EventJson.toJson(unknownKey));
        send("flag.changes", "{\"not\": \"an event\"");
        send("flag.changes", EventJson.toJson(signed));
        send("flag.changes", EventJson.toJson(signed)); // redelivered (producer retry): acted upon once
        send("flag.changes", EventJson.toJson(sentinel));

        // (a) processed: the unapproved production change is detected, once.
        await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sentinel.eventId()).isEmpty());
        assertThat(detections(signed.eventId())).hasSize(1);
        // (b), (c) never reached the rules.
        assertThat(detections(tamperedId)).isEmpty();
        assertThat(detections(unknownKey.eventId())).isEmpty();

        AuditEvent tamperedAlert = await().atMost(Duration.ofSeconds(30)).until(() -> alertFor(tamperedId), a -> a != null);
        assertAlert(tamperedAlert, tamperedAt, "bad-signature");
        assertThat(tamperedAlert.scope().path("claimed").path("flag_id").asText()).isEqualTo("verify-tampered");
        assertThat(tamperedAlert.scope().toString()).doesNotContain("everyone"); // no payload in the alert
        AuditEvent unknownAlert = await().atMost(Duration.ofSeconds(30)).until(() -> alertFor(unknownKey.eventId()), a -> a != null);
        assertAlert(unknownAlert, unknownAt, "unknown-key");
        assertThat(unknownAlert.scope().path("claimed").path("key_id").asText()).isEqualTo("flag-api-test-2");
        assertThat(unknownAlert.scope().path("detail").asText()).contains("flag-api-test-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> alerts().stream().anyMatch(a -> "malformed".equals(a.scope().path("reason").asText())));
        assertThat(alerts()).filteredOn(a -> tamperedId.equals(a.scope().path("rejected_event_id").asText())).hasSize(1);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("flagledger_monitor_events_rejected_total{")))
                .anyMatch(l -> l.contains("reason=\"bad-signature\"") && l.contains("topic=\"flag.changes\""))
                .anyMatch(l -> l.contains("reason=\"unknown-key\"") && l.contains("topic=\"flag.changes\""))
                .anyMatch(l -> l.contains("reason=\"malformed\"") && l.contains("topic=\"flag.changes\""));
    }

    @Test
    void aForgedApprovalApprovesNothing() {
        AuditEvent forged = INTRUDER.sign(AuditEvent.builder()
                .actorId("approver").actorType(ActorType.USER).sourceService("approval-service")
                .action("change_request.approved").project("shop").flagId("verify-approval").environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("change_request_id", "cr-forged"))
                .correlationId("cr-forged").build());
        RecordMetadata at = send("approval.events", EventJson.toJson(forged));
        AuditEvent alert = await().atMost(Duration.ofSeconds(30)).until(() -> alertFor(forged.eventId()), a -> a != null);
        assertAlert(alert, at, "unknown-key");

        // A change naming the "approved" request is still unapproved once the grace period is over.
        AuditEvent change = ProducerKeysResource.signer("flag-api").sign(toggleBuilder("verify-approval")
                .scope(JsonNodeFactory.instance.objectNode().set("approval",
                        JsonNodeFactory.instance.objectNode().put("change_request_id", "cr-forged"))).build());
        send("flag.changes", EventJson.toJson(change));
        AuditEvent detection = await().atMost(Duration.ofSeconds(30)).until(() -> detections(change.eventId()), d -> !d.isEmpty()).get(0);
        assertThat(detection.scope().path("details").path("change_request_id").asText()).isEqualTo("cr-forged");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void assertAlert(AuditEvent alert, RecordMetadata at, String reason) {
        try {
            EventVerifier.fromEncoded(Map.of(SigningKeyResource.KEY_ID, Ed25519Keys.encodePublic(SigningKeyResource.keyPair().getPublic())))
                    .verify(alert);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(alert.sourceService()).isEqualTo("monitor-service");
        assertThat(alert.action()).isEqualTo("monitor.event_rejected");
        assertThat(alert.scope().path("topic").asText()).isEqualTo(at.topic());
        assertThat(alert.scope().path("partition").asInt()).isEqualTo(at.partition());
        assertThat(alert.scope().path("offset").asLong()).isEqualTo(at.offset());
        assertThat(alert.scope().path("reason").asText()).isEqualTo(reason);
        assertThat(alert.scope().path("payload_sha256").asText()).hasSize(64);
        assertThat(alert.correlationId()).isEqualTo(alert.scope().path("rejected_event_id").asText());
    }

    private static List<AuditEvent> detections(String eventId) {
        return kafka.actions().stream().filter(e -> e.action().equals("monitor.detection") && e.scope() != null
                && eventId.equals(e.scope().path("suspect_event_id").asText())
                && "unapproved-change".equals(e.scope().path("rule").asText())).toList();
    }

    private static synchronized List<AuditEvent> alerts() {
        for (ConsumerRecord<String, String> r : security.poll(Duration.ofMillis(500))) {
            alerts.add(EventJson.parse(r.value()));
        }
        return List.copyOf(alerts);
    }

    private static AuditEvent alertFor(String eventId) {
        return alerts().stream().filter(a -> "monitor.event_rejected".equals(a.action())
                && eventId.equals(a.scope().path("rejected_event_id").asText())).findFirst().orElse(null);
    }

    private static RecordMetadata send(String topic, String value) {
        try {
            return producer.send(new ProducerRecord<>(topic, "shop/verify", value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static AuditEvent toggle(String flag, EventSigner signer) {
        return signer.sign(toggleBuilder(flag).build());
    }

    /** flag-api's event for switching {@code flag} on in production without a change request. */
    private static AuditEvent.Builder toggleBuilder(String flag) {
        return AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(flag).environment("production")
                .previousState(MonitorFlowTest.state(false, 1)).newState(MonitorFlowTest.state(true, 2))
                .correlationId("ci-" + flag).reason("test");
    }
}
