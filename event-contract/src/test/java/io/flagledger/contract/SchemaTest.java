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

    @BeforeAll
    static void loadSchema() throws Exception {
        try (InputStream in = AuditEvent.class.getResourceAsStream("/schema/audit-event-v1.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
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
