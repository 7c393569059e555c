package io.flagledger.common.openapi;

import io.flagledger.common.problem.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * What every Flagledger service's OpenAPI document says the same way, so client generators see it:
 * <ul>
 *   <li>the security schemes: {@value #BEARER} (an OIDC access token, what {@code @RolesAllowed}/{@code @Authenticated}
 *   operations require; Quarkus marks them with their roles, this filter names the scheme) and flag-api's SDK key, sent as
 *   {@value #SDK_KEY_HEADER} ({@value #SDK_KEY}) or as a bearer token ({@value #SDK_KEY_BEARER});</li>
 *   <li>an operation without a requirement is public and says so with an explicit empty {@code security: []};</li>
 *   <li>the statuses any operation can return by the platform's own doing (ProblemMappers): 401 and 403 when
 *   token-secured, 401 when SDK-key-secured, 400 when it takes a body, 500 always;</li>
 *   <li>every 4xx/5xx, these and the ones a resource declares with {@code @APIResponse}, is RFC 9457 problem+json:
 *   the shared {@value #PROBLEM} schema and an example for its status.</li>
 * </ul>
 * Resources declare only what is specific to them (404, 409, 412, 428, ..., their 2xx schema, request examples).
 * test-support's OpenApiContract fails when an operation lacks any of it.
 */
// BUILD completes the document Quarkus serves; RUNTIME_PER_REQUEST runs again after Quarkus' own runtime filters,
// which would otherwise add back their "SecurityScheme" (OIDC discovery) next to the bearer scheme.
@OpenApiFilter(stages = {OpenApiFilter.RunStage.BUILD, OpenApiFilter.RunStage.RUNTIME_PER_REQUEST})
public class PlatformOpenApiFilter implements OASFilter {

    public static final String BEARER = "bearer";
    public static final String SDK_KEY = "sdkKey";
    public static final String SDK_KEY_BEARER = "sdkKeyBearer";
    public static final String SDK_KEY_HEADER = "X-API-Key";
    static final String PROBLEM = "Problem";
    static final Set<String> SCHEMES = Set.of(BEARER, SDK_KEY, SDK_KEY_BEARER);
    /**
     * An error response whose body a foreign specification defines (OFREP's own error object) carries this extension
     * naming it, declares its content itself and keeps it; every other 4xx/5xx is problem+json.
     */
    public static final String ERROR_FORMAT_EXTENSION = "x-error-format";

    /** One realistic problem per status, the way ProblemMappers and the services word them. */
    private static final Map<String, Map<String, Object>> EXAMPLES = new LinkedHashMap<>();

    static {
        example(Problem.of(400, "The request is invalid: 1 field(s) rejected")
                .withErrors(List.of(new Problem.FieldError("reason", "size must be between 0 and 2000"))));
        example(Problem.of(401, "A valid bearer token is required"));
        example(Problem.of(403, "Your roles do not allow this operation"));
        example(Problem.of(404, "Flag 'new-checkout' does not exist in project 'shop'"));
        example(Problem.of(409, "Flag 'new-checkout' already exists in project 'shop'"));
        example(Problem.of(412, "Flag 'new-checkout' is at version 4 in 'production'; reload and retry"));
        example(Problem.of(413, "The request body is larger than the service accepts"));
        example(Problem.of(428, "Changing the protected environment 'production' needs an approval token (X-Approval-Token)"));
        example(Problem.of(429, "Too many requests; retry after the time in Retry-After"));
        example(Problem.of(500, "Unexpected error; quote id 0b4e7d1c-3f7a-4c55-9a70-2f4f6b0e9d11 when reporting it"));
        example(Problem.of(503, "The service is not ready yet; retry after the time in Retry-After"));
    }

    private static void example(Problem problem) {
        EXAMPLES.put(Integer.toString(problem.status()), json(problem.withInstance("/api/v1/projects/shop/flags/new-checkout")));
    }

    /** The example as plain JSON values: the document is written at build time, without Jackson's record support. */
    private static Map<String, Object> json(Problem problem) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", problem.type());
        json.put("title", problem.title());
        json.put("status", problem.status());
        json.put("detail", problem.detail());
        if (problem.instance() != null) {
            json.put("instance", problem.instance());
        }
        if (!problem.errors().isEmpty()) {
            json.put("errors", problem.errors().stream()
                    .map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        }
        return json;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        addSchemes(components);
        components.addSchema(PROBLEM, problemSchema());
        EXAMPLES.forEach((status, problem) -> components.addExample(exampleName(status),
                OASFactory.createExample().summary((String) problem.get("title")).value(problem)));
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values()
                .forEach(operation -> complete(operation, components)));
    }

    private static void addSchemes(Components components) {
        // Quarkus' own scheme (named after quarkus.smallrye-openapi.security-scheme-name) is replaced by this one.
        if (components.getSecuritySchemes() != null) {
            new ArrayList<>(components.getSecuritySchemes().keySet()).forEach(components::removeSecurityScheme);
        }
        components.addSecurityScheme(BEARER, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").bearerFormat("JWT")
                .description("An OIDC access token (JWT) from the Flagledger realm; the operation's roles are in its description"));
        components.addSecurityScheme(SDK_KEY, OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER).name(SDK_KEY_HEADER)
                .description("A flag-api SDK key (fl-s-... server, fl-c-... client) of one project and environment"));
        components.addSecurityScheme(SDK_KEY_BEARER, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").bearerFormat("Flagledger SDK key")
                .description("The same SDK key sent as Authorization: Bearer <key> (OpenFeature OFREP providers)"));
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Schema fieldError = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("field", string).addProperty("message", string);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details; errors lists the rejected fields of a 400")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri-reference"))
                .addProperty("title", string)
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32"))
                .addProperty("detail", string)
                .addProperty("instance", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri-reference"))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldError))
                .required(List.of("type", "title", "status"));
    }

    private void complete(Operation operation, Components components) {
        List<SecurityRequirement> security = normalise(operation.getSecurity());
        operation.setSecurity(security);
        boolean bearer = security.stream().anyMatch(r -> r.hasScheme(BEARER));
        boolean sdkKey = security.stream().anyMatch(r -> r.hasScheme(SDK_KEY) || r.hasScheme(SDK_KEY_BEARER));
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        if (operation.getRequestBody() != null) {
            ensure(responses, "400", "The body is malformed or a field is rejected (errors lists them)");
        }
        if (bearer) {
            ensure(responses, "401", "No valid bearer token");
            ensure(responses, "403", "The token's roles do not allow this operation");
        }
        if (sdkKey) {
            ensure(responses, "401", "No valid SDK key for this environment");
        }
        ensure(responses, "500", "Unexpected failure; the detail carries an id to quote");
        for (Map.Entry<String, APIResponse> entry : responses.getAPIResponses().entrySet()) {
            boolean foreign = entry.getValue().getExtensions() != null
                    && entry.getValue().getExtensions().containsKey(ERROR_FORMAT_EXTENSION);
            if ((entry.getKey().startsWith("4") || entry.getKey().startsWith("5")) && !foreign) {
                problemContent(entry.getKey(), entry.getValue());
            }
            if (entry.getKey().startsWith("2")) {
                exemplify(entry.getValue(), components);
            }
        }
    }

    /**
     * Quarkus names its requirement after its own scheme name; every requirement that is not an SDK key is the
     * bearer token. No requirement at all becomes an explicit empty list: public on purpose, not forgotten.
     */
    private static List<SecurityRequirement> normalise(List<SecurityRequirement> security) {
        List<SecurityRequirement> result = new ArrayList<>();
        if (security == null) {
            return result;
        }
        for (SecurityRequirement requirement : security) {
            if (requirement.getSchemes() == null || requirement.getSchemes().isEmpty()) {
                continue;
            }
            SecurityRequirement renamed = OASFactory.createSecurityRequirement();
            requirement.getSchemes().forEach((name, scopes) ->
                    renamed.addScheme(SCHEMES.contains(name) ? name : BEARER, scopes));
            result.add(renamed);
        }
        return result;
    }

    /** A JSON success body without a declared example gets one built from its schema ({@link SchemaExamples}). */
    private static void exemplify(APIResponse response, Components components) {
        if (response.getContent() == null || response.getContent().getMediaTypes() == null) {
            return;
        }
        response.getContent().getMediaTypes().forEach((type, media) -> {
            boolean declared = media.getExample() != null || (media.getExamples() != null && !media.getExamples().isEmpty());
            if (!declared && type.contains("json")) {
                Object example = SchemaExamples.of(media.getSchema(), components);
                if (example != null) {
                    media.setExample(example);
                }
            }
        });
    }

    private static void ensure(APIResponses responses, String status, String description) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
        }
    }

    /** Errors are always problem+json (ProblemMappers); whatever media type a generator guessed is replaced. */
    private static void problemContent(String status, APIResponse response) {
        if (response.getDescription() == null || response.getDescription().isBlank()) {
            response.setDescription(EXAMPLES.containsKey(status) ? (String) EXAMPLES.get(status).get("title") : "Error");
        }
        var media = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM));
        // A status without a shared example gets one of its own, worded from the response's description.
        media.addExample(status, EXAMPLES.containsKey(status)
                ? OASFactory.createExample().ref(exampleName(status))
                : OASFactory.createExample().value(json(Problem.of(Integer.parseInt(status), response.getDescription()))));
        response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, media));
    }

    private static String exampleName(String status) {
        return "problem-" + status;
    }
}
