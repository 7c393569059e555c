package io.flagledger.flagapi.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates OFREP answers against the protocol's published OpenAPI schemas, vendored unchanged in
 * {@code src/test/resources/ofrep/} (source and commit in its README). Two readings where the schema as published
 * cannot be met by any answer that carries a value, applied to an in-memory copy:
 * <ol>
 *   <li>{@code evaluationSuccess} requires exactly one ({@code oneOf}) of boolean/string/integer/float/object/codeDefault
 *   flag shapes; but {@code codeDefaultFlag} (an object with no constraints) matches every answer, and an integer also
 *   matches {@code floatFlag} ({@code type: number}). Read as {@code anyOf} of the five value shapes (Flagledger always
 *   sends a value), and made strict where the schema cannot be: the JSON form must be the declared type's
 *   ({@code metadata.type}): {@code 1} for an integer flag, {@code 1.0} for a float flag, an object for an object flag.</li>
 *   <li>{@code reason} is an enum without OpenFeature's {@code DEFAULT} (the enum was relaxed to examples by
 *   open-feature/protocol#20, then re-tightened by the documentation rewrite #56); Flagledger answers {@code DEFAULT}
 *   for a fallthrough when rules exist and none matched, as OpenFeature defines it, so the enum is read with it.</li>
 * </ol>
 */
public final class OfrepSchema {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode DOCUMENT = readDocument();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    /** Checks every OFREP answer RestAssured receives (JSON bodies of 200, 400 and 404: the statuses the spec gives one). */
    public static final Filter FILTER = new Filter() {
        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) {
            Response answer = ctx.next(request, response);
            String path = request.getURI().replaceFirst("^https?://[^/]+", "").replaceFirst("\\?.*$", "");
            // OFREP's own bodies are application/json; a 401 or 503 is problem+json, for which the spec gives no schema.
            if (path.startsWith("/ofrep/v1/evaluate/flags") && String.valueOf(answer.contentType()).startsWith("application/json")) {
                validateAnswer(!path.equals("/ofrep/v1/evaluate/flags"), answer.statusCode(), answer.asString());
            }
            return answer;
        }
    };

    private OfrepSchema() {
    }

    /** Validates every OFREP answer the calling test's RestAssured requests receive (idempotent). */
    public static synchronized void install() {
        if (!RestAssured.filters().contains(FILTER)) {
            RestAssured.filters(FILTER);
        }
    }

    /** The answer of a single ({@code single}) or bulk evaluation with this status; throws naming each violation. */
    public static void validateAnswer(boolean single, int status, String body) {
        String component = switch (status) {
            case 200 -> single ? "serverEvaluationSuccess" : "bulkEvaluationSuccess";
            case 400 -> single ? "evaluationFailure" : "bulkEvaluationFailure";
            case 404 -> single ? "flagNotFound" : null;
            default -> null;
        };
        if (component == null) {
            return;
        }
        JsonNode answer = parse(body);
        validate(component, answer);
        if (status == 200) {
            for (JsonNode flag : single ? java.util.List.of(answer) : answer.get("flags")) {
                typedValue(flag);
            }
        }
    }

    /** One SSE event ({@code data}, {@code event}, {@code id}) and the JSON inside its data. */
    public static void validateEvent(Map<String, String> event) {
        ObjectNode node = JSON.createObjectNode();
        event.forEach(node::put);
        validate("sseEvent", node);
        validate("sseEventData", parse(event.get("data")));
    }

    public static void validate(String component, JsonNode instance) {
        Set<ValidationMessage> errors = SCHEMAS.computeIfAbsent(component, OfrepSchema::schema).validate(instance);
        if (!errors.isEmpty()) {
            throw new AssertionError("not a valid OFREP " + component + ": " + errors + " in " + instance);
        }
    }

    /** Stricter than the schema can be: the value's JSON form is its declared type's. */
    private static void typedValue(JsonNode flag) {
        JsonNode type = flag.path("metadata").path("type");
        JsonNode value = flag.get("value");
        if (value == null || type.isMissingNode()) {
            return;
        }
        boolean ok = switch (type.asText()) {
            case "boolean" -> value.isBoolean();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "float" -> value.isFloatingPointNumber();
            case "object" -> value.isObject();
            default -> false;
        };
        if (!ok) {
            throw new AssertionError("value " + value + " is not in the JSON form of a " + type.asText() + " flag: " + flag);
        }
    }

    private static JsonSchema schema(String component) {
        ObjectNode root = DOCUMENT.deepCopy();
        root.put("$ref", "#/components/schemas/" + component);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static JsonNode readDocument() {
        try (InputStream in = OfrepSchema.class.getResourceAsStream("/ofrep/openapi.yaml")) {
            ObjectNode document = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            ObjectNode success = (ObjectNode) document.at("/components/schemas/evaluationSuccess");
            ArrayNode allOf = (ArrayNode) success.get("allOf");
            ((ArrayNode) allOf.get(0).at("/properties/reason/enum")).add("DEFAULT");
            ObjectNode shapes = (ObjectNode) allOf.get(1);
            ArrayNode valueShapes = JSON.createArrayNode();
            shapes.get("oneOf").forEach(ref -> {
                if (!ref.get("$ref").asText().endsWith("/codeDefaultFlag")) {
                    valueShapes.add(ref);
                }
            });
            shapes.remove("oneOf");
            shapes.set("anyOf", valueShapes);
            return document;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
