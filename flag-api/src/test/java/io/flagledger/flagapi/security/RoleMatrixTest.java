package io.flagledger.flagapi.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every management endpoint × every caller: no token, a garbage token, an expired (genuinely signed) token, and each
 * role of the realm. A cell is either allowed (2xx) or the exact refusal (401 unauthenticated, 403 not permitted).
 * "Every management endpoint" is every method of FlagResource, SegmentResource and SdkKeyResource; the OFREP and SDK
 * stream endpoints take SDK keys, not tokens, and have their own tests. Endpoints that change a flag's lifecycle or
 * revoke a key get a fresh flag or key per call (made by an allowed user), so every cell starts from the same state.
 */
@QuarkusTest
class RoleMatrixTest {

    private static final String PROJECT = "matrix";
    private static final String ENV = "staging";

    /** Callers, by the token they present; null means no Authorization header. */
    private final Map<String, String> callers = new LinkedHashMap<>();
    private String flag;

    private record Endpoint(String name, Function<RequestSpecification, io.restassured.response.Response> call,
                            Set<String> allowed) {
    }

    private static final Set<String> READERS = Set.of("viewer", "requester", "stager", "approver1", "admin", "monitor-service");
    private static final Set<String> STAGING_WRITERS = Set.of("requester", "stager", "monitor-service");

    /** Runs inside the test: RestAssured's port is only set once a test method runs. */
    private void tokensAndFlag() {
        callers.put("no token", null);
        callers.put("garbage token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        callers.put("expired token", KeycloakResource.expiredTokenFor("requester"));
        for (String user : List.of("viewer", "requester", "stager", "approver1", "admin", "auditor")) {
            callers.put(user, KeycloakResource.tokenFor(user));
        }
        callers.put("monitor-service", KeycloakResource.serviceToken("monitor-service"));
        flag = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("key", flag, "name", "M"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON)
                .body(Map.of("definition", Map.of("included", List.of("u")))).put("/api/v1/projects/{p}/environments/{e}/segments/matrix-read", PROJECT, ENV)
                .then().statusCode(org.hamcrest.Matchers.lessThan(300));
    }

    /** A new flag in the matrix project, archived first when asked; returns its path. */
    private String freshFlag(boolean archived) {
        String key = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/api/v1/projects/" + PROJECT + "/flags/" + key;
        given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("key", key, "name", "M"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        if (archived) {
            given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("reason", "matrix"))
                    .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "archive", 1, null))
                    .post(path + "/archive").then().statusCode(200);
        }
        return path;
    }

    /** Archives or restores the flag at {@code path} with an approval token for exactly that operation. */
    private static io.restassured.response.Response approved(RequestSpecification r, String path, String operation,
                                                             long metadataVersion) {
        String key = path.substring(path.lastIndexOf('/') + 1);
        return r.body(Map.of("reason", "matrix"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, operation, metadataVersion, null))
                .post(path + "/" + operation);
    }

    /** A new SDK key of the matrix environment, issued by the admin; returns its id. */
    private String freshSdkKey() {
        return given().auth().oauth2(callers.get("admin")).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/{p}/environments/{e}/sdk-keys", PROJECT, ENV).then().statusCode(201)
                .extract().path("id");
    }

    private List<Endpoint> endpoints() {
        String flags = "/api/v1/projects/" + PROJECT + "/flags";
        String env = "/api/v1/projects/" + PROJECT + "/environments/" + ENV;
        return List.of(
                new Endpoint("create flag", r -> r.body(Map.of("key", "m-" + UUID.randomUUID().toString().substring(0, 8), "name", "x"))
                        .post(flags), Set.of("requester", "monitor-service")),
                new Endpoint("list flags", r -> r.get(flags), READERS),
                new Endpoint("stale report", r -> r.queryParam("stale", true).get(flags), READERS),
                new Endpoint("read flag", r -> r.get(flags + "/" + flag), READERS),
                new Endpoint("flag at time", r -> r.queryParam("at", "2100-01-01T00:00:00Z").get(flags + "/" + flag), READERS),
                new Endpoint("flag events", r -> r.get(flags + "/" + flag + "/events"), READERS),
                new Endpoint("patch metadata", r -> r.body(Map.of("owner", "team-matrix", "reason", "matrix")).patch(flags + "/" + flag),
                        Set.of("requester", "monitor-service")),
                // with an approval for exactly this operation: the matrix is about roles (ProtectedFlagOperationsTest: approvals)
                new Endpoint("archive flag", r -> approved(r, freshFlag(false), "archive", 1),
                        Set.of("requester", "monitor-service")),
                new Endpoint("restore flag", r -> approved(r, freshFlag(true), "restore", 2),
                        Set.of("requester", "monitor-service")),
                new Endpoint("toggle staging", r -> r.body(Map.of("enabled", true)).post(flags + "/" + flag + "/environments/" + ENV + "/toggle"),
                        STAGING_WRITERS),
                new Endpoint("replace staging config", r -> r.body(Map.of("config", Map.of("enabled", false, "offVariation", "off",
                        "fallthrough", Map.of("variation", "on")))).put(flags + "/" + flag + "/environments/" + ENV), STAGING_WRITERS),
                new Endpoint("list segments", r -> r.get(env + "/segments"), READERS),
                new Endpoint("read segment", r -> r.get(env + "/segments/matrix-read"), READERS),
                new Endpoint("put segment", r -> r.body(Map.of("definition", Map.of("included", List.of("u")))).put(env + "/segments/matrix"),
                        STAGING_WRITERS),
                new Endpoint("list sdk keys", r -> r.get(env + "/sdk-keys"), Set.of("admin")),
                new Endpoint("issue sdk key", r -> r.body(Map.of("kind", "server")).post(env + "/sdk-keys"), Set.of("admin")),
                new Endpoint("revoke sdk key", r -> r.delete(env + "/sdk-keys/" + freshSdkKey()), Set.of("admin")));
    }

    @Test
    void everyEndpointTimesEveryCaller() {
        tokensAndFlag();
        assertThat(endpoints()).as("every method of the three management resources").hasSize(17);
        List<String> mismatches = new ArrayList<>();
        for (Endpoint endpoint : endpoints()) {
            callers.forEach((caller, token) -> {
                RequestSpecification request = given().contentType(ContentType.JSON);
                if (token != null) {
                    request.auth().oauth2(token);
                }
                io.restassured.response.Response response = endpoint.call().apply(request);
                int status = response.statusCode();
                boolean authenticated = token != null && !caller.equals("garbage token") && !caller.equals("expired token");
                int expected = !authenticated ? 401 : endpoint.allowed().contains(caller) ? 200 : 403;
                boolean ok = expected == 200 ? status >= 200 && status < 300 : status == expected;
                if (!ok) {
                    mismatches.add(endpoint.name() + " as " + caller + ": expected " + expected + ", got " + status + " " + response.asString());
                }
                if (status == 401 || status == 403) {
                    assertThat(response.contentType()).as(endpoint.name() + " as " + caller).startsWith("application/problem+json");
                }
            });
        }
        assertThat(mismatches).isEmpty();
    }
}
