package io.flagledger.approval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Test helpers: tokens, the stand-in flag-api, change request bodies and the events on the broker. */
public final class Fixtures {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** A cached access token (Keycloak's lifespan is 15 minutes, far longer than the suite). */
    public static String token(String user) {
        return TOKENS.computeIfAbsent(user, u -> "approval-service".equals(u)
                ? KeycloakResource.serviceToken(u) : KeycloakResource.tokenFor(u));
    }

    /**
     * The change request's current ETag (its revision), as a reviewer reads it before deciding: decisions must send it
     * as If-Match.
     */
    public static String revisionTag(String changeRequestId) {
        return given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + changeRequestId).then().statusCode(200)
                .extract().header("ETag");
    }

    public static String fakeFlagApi() {
        return ConfigProvider.getConfig().getValue("flagledger.flag-api.url", String.class);
    }

    public static ObjectNode config(boolean enabled, int onWeight) {
        ObjectNode c = JSON.createObjectNode();
        c.put("enabled", enabled);
        c.put("offVariation", "off");
        ObjectNode rollout = c.putObject("fallthrough").putObject("rollout");
        var variations = rollout.putArray("variations");
        variations.addObject().put("variation", "on").put("weight", onWeight);
        variations.addObject().put("variation", "off").put("weight", 100000 - onWeight);
        return c;
    }

    /** A flag in the stand-in flag-api with production and staging at version 1 (off). */
    public static String seedFlag(String project, String risk) {
        String flag = "f-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode f = JSON.createObjectNode();
        if (risk != null) {
            f.put("risk", risk);
        }
        ObjectNode envs = f.putObject("environments");
        for (String env : List.of("production", "staging")) {
            envs.putObject(env).put("version", 1).set("config", config(false, 0));
        }
        given().body(f.toString()).put(fakeFlagApi() + "/__fake/flags/" + project + "/" + flag).then().statusCode(204);
        return flag;
    }

    /** A segment in the stand-in flag-api at {@code version} with {@code definition}; a fresh key each call. */
    public static String seedSegment(String project, String environment, long version, JsonNode definition) {
        String segment = "s-" + UUID.randomUUID().toString().substring(0, 8);
        putSegment(project, environment, segment, version, definition);
        return segment;
    }

    /** Sets a segment's version and definition in the stand-in, as if someone changed it in flag-api. */
    public static void putSegment(String project, String environment, String segment, long version, JsonNode definition) {
        ObjectNode s = JSON.createObjectNode();
        s.put("version", version);
        s.set("definition", definition);
        given().body(s.toString()).put(fakeFlagApi() + "/__fake/segments/" + project + "/" + environment + "/" + segment)
                .then().statusCode(204);
    }

    public static JsonNode fakeSegment(String project, String environment, String segment) {
        return given().get(fakeFlagApi() + "/__fake/segments/" + project + "/" + environment + "/" + segment)
                .then().statusCode(200).extract().as(JsonNode.class);
    }

    public static int segmentWrites(String project, String environment, String segment) {
        return given().get(fakeFlagApi() + "/__fake/segment-writes/" + project + "/" + environment + "/" + segment)
                .then().statusCode(200).extract().as(Integer.class);
    }

    /** The claims of the approval token the stand-in admitted the segment's last write with. */
    public static JsonNode segmentApproval(String project, String environment, String segment) {
        return given().get(fakeFlagApi() + "/__fake/segment-approval/" + project + "/" + environment + "/" + segment)
                .then().statusCode(200).extract().as(JsonNode.class);
    }

    public static ObjectNode segmentDefinition(List<String> included, List<String> excluded) {
        ObjectNode d = JSON.createObjectNode();
        included.forEach(d.putArray("included")::add);
        excluded.forEach(d.putArray("excluded")::add);
        var rule = d.putArray("rules").addObject();
        rule.put("id", "staff");
        rule.putArray("clauses").addObject().put("attribute", "email").put("operator", "endsWith")
                .putArray("values").add("@example.com");
        return d;
    }

    /** A segment change request body, as a CI pipeline files it. */
    public static ObjectNode createSegment(String project, String segment, String environment, JsonNode definition) {
        ObjectNode body = JSON.createObjectNode();
        body.put("project", project);
        body.put("segment", segment);
        body.put("environment", environment);
        body.set("definition", definition);
        body.put("reason", "Widen the beta cohort");
        body.put("correlationId", "CHG-" + segment);
        return body;
    }

    public static int writes(String project, String flag) {
        return given().get(fakeFlagApi() + "/__fake/writes/" + project + "/" + flag).then().statusCode(200)
                .extract().as(Integer.class);
    }

    public static JsonNode fakeFlag(String project, String flag) {
        return given().get(fakeFlagApi() + "/__fake/flag/" + project + "/" + flag).then().statusCode(200)
                .extract().as(JsonNode.class);
    }

    public static void fakeMode(String mode) {
        given().post(fakeFlagApi() + "/__fake/mode/" + mode).then().statusCode(204);
    }

    public static ObjectNode create(String project, String flag, String environment, JsonNode config) {
        ObjectNode body = JSON.createObjectNode();
        body.put("project", project);
        body.put("flag", flag);
        body.put("environment", environment);
        body.set("config", config);
        body.put("reason", "Roll out the new checkout");
        body.put("correlationId", "CHG-" + flag);
        return body;
    }

    /**
     * Publishes a flag-api style event on flag.changes under {@code key}: records with one key keep their order, so
     * a later record's effect proves the earlier ones were handled.
     */
    public static void publishFlagChange(String key, AuditEvent event) {
        publishFlagChange(key, EventJson.toJson(event));
    }

    /** Publishes any record value on flag.changes, e.g. a tampered event. */
    public static void publishFlagChange(String key, String value) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("flag.changes", key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to flag.changes", e);
        }
    }

    /** flag-api's event for a flag environment config now at {@code version}, signed with flag-api's test key. */
    public static AuditEvent flagChanged(String project, String flag, String environment, long version, JsonNode scope) {
        return ProducerKeysResource.signer("flag-api").sign(unsignedFlagChanged(project, flag, environment, version, scope));
    }

    /** The same event, not yet signed (to sign it with another key or forge it). */
    public static AuditEvent unsignedFlagChanged(String project, String flag, String environment, long version, JsonNode scope) {
        ObjectNode state = config(false, 0);
        state.put("version", version);
        return changeEvent("flag.environment.updated", project, environment, state, scope).flagId(flag).build();
    }

    /** flag-api's event for a segment now at {@code version}, signed with flag-api's test key. */
    public static AuditEvent segmentChanged(String project, String segment, String environment, long version) {
        ObjectNode state = JSON.createObjectNode();
        state.putArray("included").add("someone");
        state.put("version", version);
        ObjectNode scope = JSON.createObjectNode().put("segment", segment);
        return ProducerKeysResource.signer("flag-api")
                .sign(changeEvent(version == 1 ? "segment.created" : "segment.updated", project, environment, state, scope).build());
    }

    private static AuditEvent.Builder changeEvent(String action, String project, String environment, JsonNode state,
                                                  JsonNode scope) {
        return AuditEvent.builder().eventId(io.flagledger.contract.UuidV7.nextString()).actorId("sre").actorName("SRE on call")
                .actorType(io.flagledger.contract.ActorType.USER).actorRoles("flag-editor").sourceService("flag-api")
                .action(action).project(project).environment(environment).newState(state).scope(scope)
                .correlationId("INC-" + UUID.randomUUID().toString().substring(0, 6)).reason("hotfix");
    }

    /** Events on approval.events for one flag, read from the beginning until {@code count} arrived (bounded). */
    public static List<AuditEvent> events(Predicate<AuditEvent> matching, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "approval-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<AuditEvent> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("approval.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    AuditEvent event = EventJson.parse(record.value());
                    if (matching.test(event)) {
                        found.add(event);
                    }
                }
            }
        }
        assertThat(found).as("matching events on approval.events").hasSize(count);
        return found;
    }
}
