package io.flagledger.common.openapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * An example value built from a schema, for a response that declares none: client generators and API explorers show
 * the shape of an answer without a round trip. Declared examples always win; this only fills gaps. Values are plain
 * JSON (maps, lists, strings, numbers), because the document is written at build time. Recursion is cut at
 * {@link #MAX_DEPTH} levels, so self-referencing schemas end.
 */
final class SchemaExamples {

    static final int MAX_DEPTH = 6;
    private static final String REF_PREFIX = "#/components/schemas/";

    private SchemaExamples() {
    }

    /** The example for {@code schema}, or null when the schema says too little (no type, no properties, no ref). */
    static Object of(Schema schema, Components components) {
        return value(schema, components, 0);
    }

    private static Object value(Schema schema, Components components, int depth) {
        if (schema == null || depth > MAX_DEPTH) {
            return null;
        }
        if (schema.getExample() != null) {
            return schema.getExample();
        }
        if (schema.getRef() != null) {
            String ref = schema.getRef();
            Map<String, Schema> schemas = components == null ? null : components.getSchemas();
            Schema target = schemas == null || !ref.startsWith(REF_PREFIX) ? null : schemas.get(ref.substring(REF_PREFIX.length()));
            return value(target, components, depth + 1);
        }
        if (schema.getEnumeration() != null && !schema.getEnumeration().isEmpty()) {
            return schema.getEnumeration().get(0);
        }
        if (schema.getDefaultValue() != null) {
            return schema.getDefaultValue();
        }
        for (List<Schema> alternatives : java.util.Arrays.asList(schema.getOneOf(), schema.getAnyOf())) {
            if (alternatives != null && !alternatives.isEmpty()) {
                return value(alternatives.get(0), components, depth + 1);
            }
        }
        if (schema.getAllOf() != null && !schema.getAllOf().isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>();
            for (Schema part : schema.getAllOf()) {
                if (value(part, components, depth + 1) instanceof Map<?, ?> map) {
                    map.forEach((k, v) -> merged.put(String.valueOf(k), v));
                }
            }
            return merged.isEmpty() ? null : merged;
        }
        Schema.SchemaType type = type(schema);
        if (type == null) {
            return schema.getProperties() != null ? object(schema, components, depth) : null;
        }
        return switch (type) {
            case OBJECT -> object(schema, components, depth);
            case ARRAY -> {
                Object item = value(schema.getItems(), components, depth + 1);
                yield item == null ? List.of() : List.of(item);
            }
            case STRING -> string(schema.getFormat());
            case INTEGER -> 1;
            case NUMBER -> 0.5;
            case BOOLEAN -> true;
            case NULL -> null;
        };
    }

    /** The first non-null type of a type list ({@code ["string", "null"]} is a nullable string). */
    private static Schema.SchemaType type(Schema schema) {
        List<Schema.SchemaType> types = schema.getType();
        if (types == null) {
            return null;
        }
        return types.stream().filter(t -> t != Schema.SchemaType.NULL).findFirst().orElse(null);
    }

    private static Map<String, Object> object(Schema schema, Components components, int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, property) -> {
                Object v = value(property, components, depth + 1);
                if (v != null) {
                    out.put(name, v);
                }
            });
        }
        if (out.isEmpty() && schema.getAdditionalPropertiesSchema() != null) {
            Object v = value(schema.getAdditionalPropertiesSchema(), components, depth + 1);
            if (v != null) {
                out.put("key", v);
            }
        }
        return out;
    }

    private static String string(String format) {
        if (format == null) {
            return "string";
        }
        return switch (format) {
            case "date-time" -> "2026-01-01T12:00:00Z";
            case "date" -> "2026-01-01";
            case "duration" -> "PT1H";
            case "uuid" -> "0192f3b4-7c1d-7e21-9a5e-3f1b2c4d5e6f";
            case "uri", "url", "uri-reference" -> "https://flagledger.example/api/v1/projects/shop";
            case "email" -> "rita@example.com";
            case "byte" -> "AAECAw==";
            default -> "string";
        };
    }
}
