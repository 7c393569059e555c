package io.flagledger.testsupport.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a client generator needs from each operation of a service's OpenAPI document ({@code /q/openapi?format=json}):
 * <ul>
 *   <li>a security requirement naming declared schemes, or an explicit empty one ({@code security: []}) and the
 *   operation on the service's public allow-list;</li>
 *   <li>at least one 2xx, each with a schema for every media type (204 and 304 have no body) and an example for every
 *   JSON one (declared, or built from the schema by the shared filter);</li>
 *   <li>401 and 403 when it needs a bearer token, 401 when it needs an SDK key;</li>
 *   <li>for every 4xx/5xx: application/problem+json with the Problem schema and an example (or, for a body a foreign
 *   specification defines and the response names in {@code x-error-format}, a schema and an example);</li>
 *   <li>an example for every media type of its request body.</li>
 * </ul>
 * The services' shared PlatformOpenApiFilter supplies most of it; what it cannot know (a resource's own statuses,
 * 2xx schemas of {@code Response} methods, request examples) the resource declares, and this finds what is missing.
 */
public final class OpenApiCompleteness {

    static final String BEARER = "bearer";
    static final Set<String> SDK_KEY_SCHEMES = Set.of("sdkKey", "sdkKeyBearer");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Set<String> NO_BODY = Set.of("204", "304");
    /** PlatformOpenApiFilter.ERROR_FORMAT_EXTENSION: the error body is a foreign specification's, not problem+json. */
    static final String ERROR_FORMAT = "x-error-format";

    /** Operations checked ("GET /api/v1/...") and what each one lacks. */
    public record Result(List<String> operations, List<String> missing) {
    }

    private OpenApiCompleteness() {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** @param publicOperations "METHOD /path" of the operations that are meant to be reachable without credentials */
    public static Result check(Map<String, Object> document, Set<String> publicOperations) {
        Map<String, Object> components = map(document.get("components"));
        Set<String> schemes = map(components.get("securitySchemes")).keySet();
        List<String> operations = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        map(document.get("paths")).forEach((path, item) -> map(item).forEach((method, op) -> {
            if (!METHODS.contains(method)) {
                return;
            }
            String name = method.toUpperCase() + " " + path;
            operations.add(name);
            checkOperation(name, map(op), schemes, components, publicOperations, missing);
        }));
        publicOperations.stream().filter(p -> !operations.contains(p))
                .forEach(p -> missing.add(p + ": on the public allow-list but not in the document"));
        return new Result(operations, missing);
    }

    private static void checkOperation(String name, Map<String, Object> op, Set<String> schemes,
                                       Map<String, Object> components, Set<String> publicOperations, List<String> missing) {
        Object securityNode = op.get("security");
        List<Map<String, Object>> security = securityNode instanceof List<?> list
                ? list.stream().map(OpenApiCompleteness::map).toList() : null;
        boolean bearer = false;
        boolean sdkKey = false;
        if (security == null) {
            missing.add(name + ": no security requirement (not even an explicit empty one for a public operation)");
        } else if (security.isEmpty() || security.stream().allMatch(Map::isEmpty)) {
            if (!publicOperations.contains(name)) {
                missing.add(name + ": public (security: []) but not on the service's public allow-list");
            }
        } else {
            if (publicOperations.contains(name)) {
                missing.add(name + ": on the public allow-list but requires " + security);
            }
            for (Map<String, Object> requirement : security) {
                for (String scheme : requirement.keySet()) {
                    if (!schemes.contains(scheme)) {
                        missing.add(name + ": security scheme '" + scheme + "' is not declared in components");
                    }
                    bearer |= scheme.equals(BEARER);
                    sdkKey |= SDK_KEY_SCHEMES.contains(scheme);
                }
            }
        }

        Map<String, Object> responses = map(op.get("responses"));
        if (responses.keySet().stream().noneMatch(s -> s.startsWith("2"))) {
            missing.add(name + ": no 2xx response");
        }
        responses.forEach((status, responseNode) -> {
            Map<String, Object> content = map(map(responseNode).get("content"));
            if (status.startsWith("2") && !NO_BODY.contains(status)) {
                if (content.isEmpty()) {
                    missing.add(name + ": " + status + " has no content schema");
                }
                content.forEach((type, media) -> {
                    if (map(media).get("schema") == null) {
                        missing.add(name + ": " + status + " " + type + " has no schema");
                    } else if (type.contains("json") && !hasExample(map(media), components)) {
                        missing.add(name + ": " + status + " " + type + " has no example");
                    }
                });
            }
            if ((status.startsWith("4") || status.startsWith("5")) && map(responseNode).get(ERROR_FORMAT) != null) {
                // A body a foreign specification defines (OFREP): still typed and exemplified.
                if (content.isEmpty()) {
                    missing.add(name + ": " + status + " (" + map(responseNode).get(ERROR_FORMAT) + ") has no content");
                }
                content.forEach((type, media) -> {
                    if (map(media).get("schema") == null || !hasExample(map(media), components)) {
                        missing.add(name + ": " + status + " " + type + " needs a schema and an example");
                    }
                });
            } else if (status.startsWith("4") || status.startsWith("5")) {
                Map<String, Object> problem = map(content.get("application/problem+json"));
                if (!String.valueOf(map(problem.get("schema")).get("$ref")).endsWith("/Problem")) {
                    missing.add(name + ": " + status + " is not application/problem+json with the Problem schema");
                }
                if (!hasExample(problem, components)) {
                    missing.add(name + ": " + status + " has no problem example");
                }
            }
        });
        if (bearer && !(responses.containsKey("401") && responses.containsKey("403"))) {
            missing.add(name + ": bearer-secured but 401 or 403 is not listed");
        }
        if (sdkKey && !responses.containsKey("401")) {
            missing.add(name + ": SDK-key-secured but 401 is not listed");
        }

        Map<String, Object> body = map(op.get("requestBody"));
        map(body.get("content")).forEach((type, media) -> {
            if (!hasExample(map(media), components)) {
                missing.add(name + ": request body " + type + " has no example");
            }
        });
    }

    /** An example on the media type, or on the schema it uses (inline or the component it references). */
    private static boolean hasExample(Map<String, Object> media, Map<String, Object> components) {
        if (media.get("example") != null || !map(media.get("examples")).isEmpty()) {
            return true;
        }
        Map<String, Object> schema = map(media.get("schema"));
        Object ref = schema.get("$ref");
        if (ref != null) {
            String name = ref.toString().substring(ref.toString().lastIndexOf('/') + 1);
            schema = map(map(components.get("schemas")).get(name));
        }
        return schema.get("example") != null || schema.get("examples") instanceof List<?> l && !l.isEmpty();
    }
}
