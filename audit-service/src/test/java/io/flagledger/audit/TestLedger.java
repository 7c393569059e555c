package io.flagledger.audit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Publishing signed events through real Kafka, and reading checkpoints the way an outside verifier would. */
public final class TestLedger {

    private TestLedger() {
    }

    public static List<AuditEvent> publishFlagEvents(String flag, int count) {
        List<AuditEvent> events = new ArrayList<>();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                AuditEvent e = SigningKeyResource.signer().sign(event(flag, i));
                producer.send(new ProducerRecord<>("flag.changes", "shop/" + flag,
                        EventJson.toJson(e).getBytes(StandardCharsets.UTF_8))).get();
                events.add(e);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return events;
    }

    /** Publishes already signed events, each to its topic, and waits until all of them are in the ledger. */
    public static void publishAndAwait(io.vertx.mutiny.sqlclient.Pool pool, Map<String, List<AuditEvent>> byTopic) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        List<java.util.UUID> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (var topic : byTopic.entrySet()) {
                for (AuditEvent e : topic.getValue()) {
                    producer.send(new ProducerRecord<>(topic.getKey(), e.correlationId(),
                            EventJson.toJson(e).getBytes(StandardCharsets.UTF_8))).get();
                    ids.add(java.util.UUID.fromString(e.eventId()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.preparedQuery("select count(*) from ledger_entry where event_id = any($1)")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(ids.toArray(java.util.UUID[]::new))).await().indefinitely()
                .iterator().next().getLong(0) == ids.size());
    }

    /** Waits until a checkpoint covers the given number of entries and returns it, verified. */
    public static Checkpoint awaitCheckpointCovering(long size) {
        String auditor = KeycloakResource.tokenFor("auditor");
        Checkpoint[] found = new Checkpoint[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            var response = given().auth().oauth2(auditor).accept("text/plain").get("/api/v1/audit/checkpoints/latest");
            if (response.statusCode() != 200) {
                return false;
            }
            found[0] = open(response.asString());
            return found[0].size() >= size;
        });
        return found[0];
    }

    /**
     * Waits until the entry of {@code event} is served with an inclusion proof, and checks that proof against the
     * signed checkpoint the way an outside verifier would: the leaf from the event we published, the root from the
     * signed note. Returns the entry's sequence number.
     */
    public static long assertProven(AuditEvent event) {
        String auditor = KeycloakResource.tokenFor("auditor");
        io.restassured.path.json.JsonPath[] found = new io.restassured.path.json.JsonPath[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            var r = given().auth().oauth2(auditor).get("/api/v1/audit/events/" + event.eventId());
            found[0] = r.statusCode() == 200 ? r.jsonPath() : null;
            return found[0] != null && found[0].get("inclusionProof") != null;
        });
        Checkpoint signed = open(found[0].getString("inclusionProof.checkpoint"));
        long seq = found[0].getLong("seq");
        try {
            io.flagledger.contract.merkle.ProofVerifier.verifyInclusion(seq - 1, signed.size(),
                    io.flagledger.contract.merkle.MerkleHash.leaf(EventJson.canonicalBytes(event)),
                    found[0].getList("inclusionProof.hashes", String.class).stream()
                            .map(h -> java.util.Base64.getDecoder().decode(h)).toList(), signed.rootHash());
        } catch (Exception e) {
            throw new AssertionError("inclusion proof of seq " + seq + " does not verify: " + e.getMessage(), e);
        }
        return seq;
    }

    /** Verifies a checkpoint note with the key derived from the configured private key (not from /keys). */
    public static Checkpoint open(String note) {
        try {
            return Checkpoint.parse(new NoteVerifier(List.of(checkpointKey())).open(note).text());
        } catch (Exception e) {
            throw new AssertionError("checkpoint note does not verify: " + e.getMessage() + "\n" + note, e);
        }
    }

    public static NoteVerifierKey checkpointKey() {
        var config = ConfigProvider.getConfig();
        String name = config.getOptionalValue("flagledger.checkpoint.key-name", String.class)
                .orElse(config.getValue("flagledger.checkpoint.origin", String.class));
        var privateKey = Ed25519Keys.decodePrivate(config.getValue("flagledger.checkpoint.private-key", String.class));
        return NoteVerifierKey.of(name, Ed25519Keys.publicKeyOf(privateKey));
    }

    private static AuditEvent event(String flag, int i) {
        return AuditEvent.builder()
                .action("flag.toggled")
                .actorId("alice-subject")
                .actorType(ActorType.USER)
                .actorRoles(List.of("flag-editor"))
                .sourceService("flag-api")
                .project("shop")
                .flagId(flag)
                .environment("production")
                .previousState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 != 0))
                .correlationId("ci-proof-" + i)
                .reason("proof test " + i)
                .request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .build();
    }
}
