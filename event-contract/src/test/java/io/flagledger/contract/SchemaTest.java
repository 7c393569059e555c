package io.flagledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTest {

    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static JsonSchema schema;
    private static JsonSchema schemaV2;

    @BeforeAll
    static void loadSchema() throws Exception {
        schema = load("/schema/audit-event-v1.schema.json");
        schemaV2 = load("/schema/audit-event-v2.schema.json");
    }

    private static JsonSchema load(String resource) throws Exception {
        try (InputStream in = AuditEvent.class.getResourceAsStream(resource)) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    @Test
    void batchSignedEventsConformToVersion2AndOnlyToIt() throws Exception {
        java.util.List<AuditEvent> batch = TestEvents.SIGNER.signBatch(BatchSigningTest.events(7));
        for (AuditEvent e : batch) {
            assertEquals(Set.of(), schemaV2.validate(tree(e)));
            assertFalse(schema.validate(tree(e)).isEmpty());
        }
        assertFalse(schemaV2.validate(tree(TestEvents.signed())).isEmpty());
        AuditEvent single = TestEvents.SIGNER.signBatch(BatchSigningTest.events(1)).get(0);
        assertEquals(Set.of(), schemaV2.validate(tree(single)), "a batch of one has an empty path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"size", "index", "path"})
    void version2NeedsEveryBatchMember(String member) throws Exception {
        ObjectNode tree = tree(TestEvents.SIGNER.signBatch(BatchSigningTest.events(3)).get(1));
        ((ObjectNode) tree.get("signature").get("batch")).remove(member);
        assertTrue(schemaV2.validate(tree).toString().contains(member));
    }

    @Test
    void version2RefusesNonCanonicalAndOutOfRangeBatchValues() throws Exception {
        AuditEvent e = TestEvents.SIGNER.signBatch(BatchSigningTest.events(3)).get(1);
        ObjectNode tree = tree(e);
        ((ObjectNode) tree.get("signature").get("batch")).put("size", 0);
        assertFalse(schemaV2.validate(tree).isEmpty(), "size 0");
        tree = tree(e);
        ((ObjectNode) tree.get("signature").get("batch")).put("size", 65537);
        assertFalse(schemaV2.validate(tree).isEmpty(), "size over the limit");
        tree = tree(e);
        ((ObjectNode) tree.get("signature").get("batch")).put("index", -1);
        assertFalse(schemaV2.validate(tree).isEmpty(), "negative index");
        tree = tree(e);
        String hash = e.signature().batch().path().get(0);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        String alt = hash.substring(0, 42) + alphabet.charAt(alphabet.indexOf(hash.charAt(42)) ^ 1) + "=";
        ((com.fasterxml.jackson.databind.node.ArrayNode) tree.get("signature").get("batch").get("path")).set(0, alt);
        assertFalse(schemaV2.validate(tree).isEmpty(), "non-canonical base64 in the path");
        tree = tree(e);
        String value = e.signature().value();
        ((ObjectNode) tree.get("signature")).put("value",
                value.substring(0, 85) + alphabet.charAt(alphabet.indexOf(value.charAt(85)) ^ 1) + "==");
        assertFalse(schemaV2.validate(tree).isEmpty(), "non-canonical base64 in the value");
        tree = tree(e);
        ((ObjectNode) tree.get("signature")).put("algorithm", "Ed25519");
        assertFalse(schemaV2.validate(tree).isEmpty(), "version 1 algorithm");
        tree = tree(e);
        ((ObjectNode) tree.get("signature").get("batch")).put("root", "x");
        assertFalse(schemaV2.validate(tree).isEmpty(), "unsigned extra member");
    }

    @Test
    void signedBuilderEventConforms() throws Exception {
        assertEquals(Set.of(), schema.validate(tree(TestEvents.signed())));
    }

    @Test
    void minimalSignedEventConforms() throws Exception {
        AuditEvent e = TestEvents.SIGNER.sign(AuditEvent.builder().actorId("svc").actorType(ActorType.SERVICE)
                .sourceService("monitor-service").action("flag.stale").correlationId("c").build());
        assertEquals(Set.of(), schema.validate(tree(e)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"actor_id", "event_id", "timestamp", "actor_type", "source_service", "action",
            "correlation_id", "signature", "schema_version"})
    void missingRequiredFieldFails(String field) throws Exception {
        ObjectNode tree = tree(TestEvents.signed());
        tree.remove(field);
        Set<ValidationMessage> errors = schema.validate(tree);
        assertFalse(errors.isEmpty());
        assertTrue(errors.toString().contains(field), errors.toString());
    }

    @Test
    void enumsAndSignatureShapeAreEnforced() throws Exception {
        ObjectNode tree = tree(TestEvents.signed());
        tree.put("actor_type", "robot");
        assertFalse(schema.validate(tree).isEmpty());

        tree = tree(TestEvents.signed());
        ((ObjectNode) tree.get("request")).put("channel", "fax");
        assertFalse(schema.validate(tree).isEmpty());

        tree = tree(TestEvents.signed());
        ((ObjectNode) tree.get("signature")).put("algorithm", "RS256");
        assertFalse(schema.validate(tree).isEmpty());

        tree = tree(TestEvents.signed());
        tree.put("unsigned_extra", 1);
        assertFalse(schema.validate(tree).isEmpty());
    }

    @Test
    void theTextRuleIsStated() throws Exception {
        ObjectNode tree = tree(TestEvents.signed());
        tree.put("correlation_id", "c\u0000d");
        assertTrue(schema.validate(tree).toString().contains("correlation_id"), "NUL in a single-line id");

        tree = tree(TestEvents.signed());
        tree.put("actor_id", "alice\nbob");
        assertFalse(schema.validate(tree).isEmpty(), "LF in a single-line id");

        tree = tree(TestEvents.signed());
        tree.put("reason", "line one\n\tline two\r\n");
        assertEquals(Set.of(), schema.validate(tree), "TAB, LF and CR are free text");
        tree.put("reason", "bell\u0007");
        assertFalse(schema.validate(tree).isEmpty(), "other C0 controls are not");

        tree = tree(TestEvents.signed());
        tree.putObject("new_state").putArray("values").addObject().put("k\u0000", "v");
        assertTrue(schema.validate(tree).toString().contains("new_state"), "NUL in a payload member name");
        tree.putObject("new_state").putArray("values").addObject().put("k", "v\tw");
        assertEquals(Set.of(), schema.validate(tree), "TAB in a payload string");
    }

    private static ObjectNode tree(AuditEvent e) throws Exception {
        JsonNode node = MAPPER.readTree(EventJson.toJson(e));
        return (ObjectNode) node;
    }
}
