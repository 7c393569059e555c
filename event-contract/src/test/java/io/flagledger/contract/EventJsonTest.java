package io.flagledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventJsonTest {

    private final ObjectMapper mapper = EventJson.mapper();

    /**
     * A consumer verifies and stores the forms parseCanonical computed from one tree: they must be exactly the
     * bytes the signer signed and the ledger hashes, also when a state carries a member named "signature".
     */
    @Test
    void parseCanonicalKeepsExactlyTheSigningAndStoredForms() {
        AuditEvent e = TestEvents.SIGNER.sign(TestEvents.fullBuilder()
                .newState(new ObjectMapper().createObjectNode().put("signature", "not the envelope's")).build());
        String spaced = EventJson.toJson(e).replace(",", ", ");
        EventJson.Parsed parsed = EventJson.parseCanonical(spaced.getBytes(StandardCharsets.UTF_8));
        assertEquals(e, parsed.event());
        assertArrayEquals(EventJson.canonicalBytes(e), parsed.canonical());
        assertArrayEquals(EventJson.signingBytes(e), parsed.signing());
        assertTrue(new String(parsed.signing(), StandardCharsets.UTF_8).contains("\"signature\":\"not the envelope's\""));
    }

    /**
     * The forms are written member by member from the record, not from the tree valueToTree() builds: they must be the
     * tree's bytes, whatever the order of a payload's members, its numbers or its text, for every member the record
     * has (a member added to the record and not to the writer fails here: the first event sets them all) and for both
     * kinds of signature.
     */
    @Test
    void writtenFormsAreTheMappersForms() throws Exception {
        ObjectNode payload = (ObjectNode) mapper.readTree("{\"z\":[3,1e21,-0.0,1.5e-7,12345678901234567890,{\"y\":null,"
                + "\"b\":\"\\u00e9\\ud83d\\ude00\\u0001\\\"\"}],\"a\":{},\"m\":true,\"\\u20ac\":[],\"A\":0.1}");
        AuditEvent every = TestEvents.signed();
        for (RecordComponent c : AuditEvent.class.getRecordComponents()) {
            assertNotNull(c.getAccessor().invoke(every), c.getName());
        }
        List<AuditEvent> batch = TestEvents.SIGNER.signBatch(List.of(TestEvents.fullBuilder().build(),
                TestEvents.fullBuilder().flagId("b").build(), TestEvents.fullBuilder().flagId("c").build()));
        List<AuditEvent> events = List.of(every, batch.get(0), batch.get(2), TestEvents.fullBuilder().build(),
                TestEvents.SIGNER.sign(TestEvents.fullBuilder().newState(payload).previousState(payload.get("z").get(5))
                        .scope(null).request(new RequestMetadata(null, "\u0000\u2028", Channel.AUTOMATION))
                        .actorRoles(List.of()).actorType(ActorType.SERVICE).build()),
                AuditEvent.builder().build());
        for (AuditEvent e : events) {
            ObjectNode tree = mapper.valueToTree(e);
            byte[] whole = CanonicalJson.canonicalize(tree);
            tree.remove("signature");
            byte[] signing = CanonicalJson.canonicalize(tree);
            assertArrayEquals(whole, EventJson.canonicalBytes(e));
            assertArrayEquals(signing, EventJson.signingBytes(e));
            EventJson.Parsed parsed = EventJson.parseCanonical(whole);
            assertArrayEquals(whole, parsed.canonical());
            assertArrayEquals(signing, parsed.signing());
        }
    }

    @Test
    void snakeCaseFieldsEnumsAndTimestamp() throws Exception {
        AuditEvent e = TestEvents.signed();
        JsonNode json = mapper.readTree(EventJson.toJson(e));
        assertEquals(1, json.get("schema_version").intValue());
        assertEquals("user", json.get("actor_type").textValue());
        assertEquals("api", json.get("request").get("channel").textValue());
        assertEquals("203.0.113.7", json.get("request").get("client_address").textValue());
        assertEquals("2026-04-04T12:34:56.123456Z", json.get("timestamp").textValue());
        assertEquals("[\"approver\",\"flag-admin\"]", json.get("actor_roles").toString());
        assertEquals("Ed25519", json.get("signature").get("algorithm").textValue());
        assertEquals(TestEvents.KEY_ID, json.get("signature").get("key_id").textValue());
        for (String field : List.of("schema_version", "event_id", "actor_id", "actor_name", "actor_email",
                "source_service", "flag_id", "previous_state", "new_state", "correlation_id")) {
            assertTrue(json.has(field), field);
        }
    }

    @Test
    void timestampKeepsSixFractionDigits() {
        AuditEvent e = AuditEvent.builder().timestamp(Instant.parse("2026-01-02T03:04:05Z")).build();
        assertTrue(EventJson.toJson(e).contains("\"timestamp\":\"2026-01-02T03:04:05.000000Z\""), EventJson.toJson(e));
        assertEquals(e.timestamp(), EventJson.parse(EventJson.toJson(e)).timestamp());
    }

    @Test
    void nullFieldsAreOmitted() {
        AuditEvent e = AuditEvent.builder().actorId("u").action("flag.created").build();
        String json = EventJson.toJson(e);
        assertFalse(json.contains("null"), json);
        assertFalse(json.contains("signature"), json);
        assertFalse(json.contains("reason"), json);
    }

    @Test
    void toJsonIsCanonicalAndRoundTrips() {
        AuditEvent e = TestEvents.signed();
        String json = EventJson.toJson(e);
        assertEquals(json, new String(CanonicalJson.canonicalize(json), StandardCharsets.UTF_8));
        AuditEvent back = EventJson.parse(json);
        assertEquals(e, back);
        assertArrayEquals(EventJson.canonicalBytes(e), EventJson.canonicalBytes(back));
        assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), EventJson.canonicalBytes(e));
    }

    @Test
    void parsesPrettyPrintedJsonFromOtherMappers() throws Exception {
        AuditEvent e = TestEvents.signed();
        String pretty = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(e);
        AuditEvent back = EventJson.parse(pretty);
        assertArrayEquals(EventJson.canonicalBytes(e), EventJson.canonicalBytes(back));
    }

    @Test
    void unknownPropertiesAreIgnoredAndNotSigned() throws Exception {
        AuditEvent e = TestEvents.signed();
        ObjectNode tree = (ObjectNode) mapper.readTree(EventJson.toJson(e));
        tree.put("injected", "not covered by the signature");
        AuditEvent back = EventJson.parse(tree.toString());
        assertArrayEquals(EventJson.canonicalBytes(e), EventJson.canonicalBytes(back));
    }

    @Test
    void explicitNullPayloadEqualsAbsentPayload() {
        AuditEvent e = AuditEvent.builder().actorId("u").action("flag.created")
                .newState(com.fasterxml.jackson.databind.node.NullNode.getInstance()).build();
        assertNull(e.newState());
        String json = EventJson.toJson(e).replace("{", "{\"previous_state\":null,");
        assertNull(EventJson.parse(json).previousState());
    }

    @Test
    void malformedJsonIsRejectedWithClearMessage() {
        assertMessage("{\"event_id\":", "invalid audit event");
        assertMessage("[]", "invalid audit event");
        assertMessage("null", "expected a JSON object");
        assertMessage("", "empty");
        assertMessage("{\"action\":\"a\"} {}", "invalid audit event");
        assertMessage("{\"action\":\"a\",\"action\":\"b\"}", "Duplicate field 'action'");
    }

    @Test
    void wrongTypesAreRejectedWithPath() {
        assertMessage("{\"actor_type\":\"admin\"}", "$.actor_type");
        assertMessage("{\"actor_type\":0}", "$.actor_type");
        assertMessage("{\"actor_id\":123}", "$.actor_id");
        assertMessage("{\"actor_id\":true}", "$.actor_id");
        assertMessage("{\"schema_version\":\"1\"}", "$.schema_version");
        assertMessage("{\"schema_version\":1.5}", "$.schema_version");
        assertMessage("{\"actor_roles\":\"admin\"}", "$.actor_roles");
        assertMessage("{\"actor_roles\":[\"a\",null]}", "actor_roles must not contain null");
        assertMessage("{\"timestamp\":1712345678}", "$.timestamp");
        assertMessage("{\"timestamp\":\"2026-04-04T12:34:56\"}", "$.timestamp");
        assertMessage("{\"request\":{\"channel\":\"fax\"}}", "$.request.channel");
        assertMessage("{\"signature\":\"abc\"}", "$.signature");
        assertMessage("{\"new_state\":{\"n\":1e400}}", "non-finite");
        assertMessage("{\"new_state\":{\"a\":[1,{\"b\":1e400}]}}", "$.new_state.a[1].b");
        assertMessage("{\"actor_name\":\"x\\ud800\"}", "lone surrogate U+D800 in string at $.actor_name");
        assertMessage("{\"request\":{\"user_agent\":\"\\udc00\"}}", "at $.request.user_agent");
        assertMessage("{\"signature\":{\"batch\":{\"path\":[\"\\udc00\"]}}}", "at $.signature.batch.path");
    }

    @Test
    void acceptsTimestampsWithOffset() {
        AuditEvent e = EventJson.parse("{\"timestamp\":\"2026-04-04T14:34:56.5+02:00\"}");
        assertEquals(Instant.parse("2026-04-04T12:34:56.500Z"), e.timestamp());
    }

    @Test
    void mapperCopiesAreIsolated() {
        ObjectMapper m = EventJson.mapper();
        m.configure(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT, true);
        assertFalse(EventJson.toJson(TestEvents.signed()).contains("\n"));
    }

    private static void assertMessage(String json, String fragment) {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventJson.parse(json), json);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain " + fragment);
    }
}
