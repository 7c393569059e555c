package io.flagledger.testsupport.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The check finds each kind of gap, and passes a complete operation: it can fail, and for the right reasons. */
class OpenApiCompletenessTest {

    private static final Map<String, Object> PROBLEM = Map.of("application/problem+json", Map.of(
            "schema", Map.of("$ref", "#/components/schemas/Problem"),
            "examples", Map.of("404", Map.of("$ref", "#/components/examples/problem-404"))));
    private static final Map<String, Object> COMPONENTS = Map.of(
            "securitySchemes", Map.of("bearer", Map.of("type", "http")),
            "schemas", Map.of("Body", Map.of("type", "object", "example", Map.of("a", 1)), "Bare", Map.of("type", "object")));

    private static Map<String, Object> doc(Map<String, Object> operation) {
        return Map.of("components", COMPONENTS, "paths", Map.of("/things", Map.of("post", operation)));
    }

    private static Map<String, Object> error() {
        return Map.of("description", "x", "content", PROBLEM);
    }

    private static Map<String, Object> complete() {
        return Map.of(
                "security", List.of(Map.of("bearer", List.of())),
                "requestBody", Map.of("content", Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Body")))),
                "responses", Map.of(
                        "201", Map.of("content", Map.of("application/json", Map.of("schema", Map.of("type", "object"),
                                "example", Map.of("id", "1")))),
                        "401", error(), "403", error(), "404", error()));
    }

    @Test
    void aCompleteOperationPasses() {
        OpenApiCompleteness.Result result = OpenApiCompleteness.check(doc(complete()), Set.of());
        assertEquals(List.of("POST /things"), result.operations());
        assertEquals(List.of(), result.missing());
    }

    @Test
    void eachGapIsReported() {
        Map<String, Object> op = Map.of(
                "requestBody", Map.of("content", Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Bare")))),
                "responses", Map.of("200", Map.of("content", Map.of("application/json", Map.of())),
                        "201", Map.of("content", Map.of("application/json", Map.of("schema", Map.of("type", "object")))),
                        "409", Map.of("description", "conflict")));
        // Map.of has no order: compare as a set, and the count so that nothing is reported twice.
        List<String> missing = OpenApiCompleteness.check(doc(op), Set.of()).missing();
        assertEquals(Set.of(
                "POST /things: no security requirement (not even an explicit empty one for a public operation)",
                "POST /things: 200 application/json has no schema",
                "POST /things: 201 application/json has no example",
                "POST /things: 409 is not application/problem+json with the Problem schema",
                "POST /things: 409 has no problem example",
                "POST /things: request body application/json has no example"), Set.copyOf(missing));
        assertEquals(6, missing.size());
    }

    @Test
    void securedOperationsListTheirAuthenticationFailures() {
        Map<String, Object> op = new java.util.HashMap<>(complete());
        op.put("responses", Map.of("200", Map.of("content", Map.of("application/json", Map.of("schema", Map.of(), "example", 1)))));
        assertEquals(List.of("POST /things: bearer-secured but 401 or 403 is not listed"),
                OpenApiCompleteness.check(doc(op), Set.of()).missing());
    }

    @Test
    void publicOperationsMustBeOnTheAllowList() {
        Map<String, Object> op = new java.util.HashMap<>(complete());
        op.put("security", List.of());
        assertEquals(List.of("POST /things: public (security: []) but not on the service's public allow-list"),
                OpenApiCompleteness.check(doc(op), Set.of()).missing());
        assertEquals(List.of(), OpenApiCompleteness.check(doc(op), Set.of("POST /things")).missing());
        assertEquals(List.of("GET /gone: on the public allow-list but not in the document"),
                OpenApiCompleteness.check(doc(complete()), Set.of("GET /gone")).missing().stream()
                        .filter(m -> m.startsWith("GET")).toList());
    }
}
