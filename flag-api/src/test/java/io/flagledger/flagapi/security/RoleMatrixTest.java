package io.flagledger.flagapi.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.flagledger.flagapi.approval.ProtectedWrite;
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
 * Every management endpoint × every caller, in two projects: no token, a garbage token, an expired (genuinely signed)
 * token, each user of the realm and both service accounts. A cell is either allowed (2xx) or the exact refusal (401
 * unauthenticated, 403 not permitted). "Every management endpoint" is every method of FlagResource, SegmentResource,
 * SdkKeyResource and FreezeResource, plus the two ways services write: applying an approval token and reverting the
 * latest change.
 * The OFREP and SDK stream endpoints take SDK keys, not tokens, and have their own tests. Endpoints that change a
 * flag's lifecycle, apply, revert or revoke a key get a fresh flag or key per call (made by an allowed user), so every
 * cell starts from the same state.
 * <p>
 * Project {@value #TEAM_A} is where the project-scoped users (editor-a, approver-a, admin-a of staging, auditor-a)
 * hold their roles (freezer-a: {@code flag-freezer@team-a/staging}); project {@value #OTHER} is anyone else's, where
 * they are refused everything. A freeze set by a call is lifted at once, so no other cell meets it. The service accounts
 * hold only their dedicated roles: approval-service ({@code flag-applier}) reads and writes only with an approval
 * token, monitor-service ({@code flag-reverter}) only reverts.
 */
@QuarkusTest
class RoleMatrixTest {

    private static final String OTHER = "matrix";
    private static final String TEAM_A = "team-a";
    private static final String ENV = "staging";

    /** Callers, by the token they present; null means no Authorization header. */
    private final Map<String, String> callers = new LinkedHashMap<>();
    private final Map<String, String> flags = new LinkedHashMap<>();
    /** Per project, a freeze that was set and lifted (reading one by id). */
    private final Map<String, String> liftedFreezes = new LinkedHashMap<>();

    private record Endpoint(String name, Function<RequestSpecification, io.restassured.response.Response> call,
                            Set<String> allowed) {
    }

    private static final Set<String> READERS = Set.of("viewer", "requester", "stager", "approver1", "admin", "freezer",
            "approval-service");
    private static final Set<String> TEAM_A_READERS = Set.of("editor-a", "approver-a", "admin-a");

    /** Runs inside the test: RestAssured's port is only set once a test method runs. */
    private void tokensAndFlags() {
        callers.put("no token", null);
        callers.put("garbage token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        callers.put("expired token", KeycloakResource.expiredTokenFor("requester"));
        for (String user : List.of("viewer", "requester", "stager", "approver1", "admin", "auditor", "freezer",
                "editor-a", "approver-a", "admin-a", "auditor-a", "freezer-a")) {
            callers.put(user, KeycloakResource.tokenFor(user));
        }
        callers.put("monitor-service", KeycloakResource.serviceToken("monitor-service"));
        callers.put("approval-service", KeycloakResource.serviceToken("approval-service"));
        for (String project : List.of(OTHER, TEAM_A)) {
            String flag = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
            flags.put(project, flag);
            given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("key", flag, "name", "M"))
                    .post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
            given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON)
                    .body(Map.of("definition", Map.of("included", List.of("u"))))
                    .put("/api/v1/projects/{p}/environments/{e}/segments/matrix-read", project, ENV)
                    .then().statusCode(org.hamcrest.Matchers.lessThan(300));
            String freeze = setFreeze(project, "development");
            liftFreeze(project, freeze);
            liftedFreezes.put(project, freeze);
        }
    }

    /** Sets a freeze of {@code environment} (null: the whole project) as the unscoped freezer; returns its id. */
    private String setFreeze(String project, String environment) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("reason", "matrix"));
        if (environment != null) {
            body.put("environment", environment);
        }
        return given().auth().oauth2(callers.get("freezer")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/projects/{p}/freezes", project).then().statusCode(201).extract().path("id");
    }

    private void liftFreeze(String project, String id) {
        given().auth().oauth2(callers.get("freezer")).contentType(ContentType.JSON).body(Map.of("reason", "matrix over"))
                .post("/api/v1/projects/{p}/freezes/{id}/lift", project, id).then().statusCode(200);
    }

    /** A freeze the caller managed to set is lifted at once: the cells after it must not meet it. */
    private io.restassured.response.Response unfrozen(String project, io.restassured.response.Response set) {
        if (set.statusCode() == 201) {
            liftFreeze(project, set.path("id"));
        }
        return set;
    }

    /** Lifting a fresh freeze of staging; one the caller may not lift is lifted by the freezer afterwards. */
    private io.restassured.response.Response lift(RequestSpecification request, String project) {
        String id = setFreeze(project, ENV);
        io.restassured.response.Response response = request.body(Map.of("reason", "matrix"))
                .post("/api/v1/projects/" + project + "/freezes/" + id + "/lift");
        if (response.statusCode() != 200) {
            liftFreeze(project, id);
        }
        return response;
    }

    /** A new flag in {@code project}, archived first when asked; returns its path. */
    private String freshFlag(String project, boolean archived) {
        String key = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/api/v1/projects/" + project + "/flags/" + key;
        given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("key", key, "name", "M"))
                .post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
        if (archived) {
            given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("reason", "matrix"))
                    .header(ApprovalTokens.HEADER, Approvals.operationToken(project, key, "archive", 1, null))
                    .post(path + "/archive").then().statusCode(200);
        }
        return path;
    }

    /** An approved config replacement of a new flag's staging: the request approval-service makes. */
    private io.restassured.response.Response apply(RequestSpecification request, String project) {
        String path = freshFlag(project, false);
        Map<String, Object> config = Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("variation", "on"));
        String token = Approvals.token(project, path.substring(path.lastIndexOf('/') + 1), ENV, 0,
                EventJson.mapper().valueToTree(config));
        return request.header(ApprovalTokens.HEADER, token).header("If-Match", "\"0\"")
                .body(Map.of("config", config, "reason", "matrix", "correlationId", "matrix-apply"))
                .put(path + "/environments/" + ENV);
    }

    /** A revert of exactly the latest change of a new flag's staging (switched on by the requester): what monitor-service sends. */
    private io.restassured.response.Response revert(RequestSpecification request, String project) {
        String path = freshFlag(project, false);
        given().auth().oauth2(callers.get("requester")).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .post(path + "/environments/" + ENV + "/toggle").then().statusCode(200);
        List<Map<String, Object>> events = given().auth().oauth2(callers.get("requester")).get(path + "/events")
                .then().statusCode(200).extract().path("$");
        Map<String, Object> toggled = events.get(events.size() - 1);
        Map<String, Object> before = new LinkedHashMap<>((Map<String, Object>) toggled.get("previous_state"));
        before.remove("version");
        String eventId = (String) toggled.get("event_id");
        return request.header(ProtectedWrite.REVERT_HEADER, eventId).header("If-Match", "\"1\"")
                .body(Map.of("config", before, "reason", "auto-revert: matrix", "correlationId", eventId))
                .put(path + "/environments/" + ENV);
    }

    /** Archives or restores the flag at {@code path} with an approval token for exactly that operation. */
    private static io.restassured.response.Response approved(RequestSpecification r, String project, String path,
                                                             String operation, long metadataVersion) {
        String key = path.substring(path.lastIndexOf('/') + 1);
        return r.body(Map.of("reason", "matrix"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(project, key, operation, metadataVersion, null))
                .post(path + "/" + operation);
    }

    /** A new SDK key of {@code project}'s staging, issued by the admin; returns its id. */
    private String freshSdkKey(String project) {
        return given().auth().oauth2(callers.get("admin")).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/{p}/environments/{e}/sdk-keys", project, ENV).then().statusCode(201)
                .extract().path("id");
    }

    private static Set<String> plus(Set<String> base, String... more) {
        Set<String> all = new java.util.HashSet<>(base);
        all.addAll(List.of(more));
        return all;
    }

    private List<Endpoint> endpoints(String project) {
        boolean teamA = project.equals(TEAM_A);
        String flag = flags.get(project);
        String flagsPath = "/api/v1/projects/" + project + "/flags";
        String env = "/api/v1/projects/" + project + "/environments/" + ENV;
        Set<String> readers = teamA ? plus(READERS, TEAM_A_READERS.toArray(String[]::new)) : READERS;
        Set<String> projectEditors = teamA ? Set.of("requester", "editor-a") : Set.of("requester");
        Set<String> stagingWriters = plus(projectEditors, "stager");
        Set<String> admins = teamA ? Set.of("admin", "admin-a") : Set.of("admin");
        String freezes = "/api/v1/projects/" + project + "/freezes";
        // freezer-a holds flag-freezer@team-a/staging: that environment's freezes, not the whole project's
        Set<String> freezeReaders = teamA ? plus(readers, "freezer-a") : readers;
        Set<String> stagingFreezers = teamA ? Set.of("freezer", "freezer-a") : Set.of("freezer");
        return List.of(
                new Endpoint("create flag", r -> r.body(Map.of("key", "m-" + UUID.randomUUID().toString().substring(0, 8), "name", "x"))
                        .post(flagsPath), projectEditors),
                new Endpoint("list flags", r -> r.get(flagsPath), readers),
                new Endpoint("stale report", r -> r.queryParam("stale", true).get(flagsPath), readers),
                new Endpoint("read flag", r -> r.get(flagsPath + "/" + flag), readers),
                new Endpoint("flag at time", r -> r.queryParam("at", "2100-01-01T00:00:00Z").get(flagsPath + "/" + flag), readers),
                new Endpoint("flag events", r -> r.get(flagsPath + "/" + flag + "/events"), readers),
                new Endpoint("patch metadata", r -> r.body(Map.of("owner", "team-matrix", "reason", "matrix")).patch(flagsPath + "/" + flag),
                        projectEditors),
                // with an approval for exactly this operation: the matrix is about roles (ProtectedFlagOperationsTest: approvals)
                new Endpoint("archive flag", r -> approved(r, project, freshFlag(project, false), "archive", 1),
                        plus(projectEditors, "approval-service")),
                new Endpoint("restore flag", r -> approved(r, project, freshFlag(project, true), "restore", 2),
                        plus(projectEditors, "approval-service")),
                new Endpoint("toggle staging", r -> r.body(Map.of("enabled", true)).post(flagsPath + "/" + flag + "/environments/" + ENV + "/toggle"),
                        stagingWriters),
                new Endpoint("replace staging config", r -> r.body(Map.of("config", Map.of("enabled", false, "offVariation", "off",
                        "fallthrough", Map.of("variation", "on")))).put(flagsPath + "/" + flag + "/environments/" + ENV), stagingWriters),
                new Endpoint("apply approved staging config", r -> apply(r, project), plus(stagingWriters, "approval-service")),
                new Endpoint("revert staging", r -> revert(r, project), plus(stagingWriters, "monitor-service")),
                new Endpoint("list segments", r -> r.get(env + "/segments"), readers),
                new Endpoint("read segment", r -> r.get(env + "/segments/matrix-read"), readers),
                new Endpoint("put segment", r -> r.body(Map.of("definition", Map.of("included", List.of("u")))).put(env + "/segments/matrix"),
                        stagingWriters),
                new Endpoint("list sdk keys", r -> r.get(env + "/sdk-keys"), admins),
                new Endpoint("issue sdk key", r -> r.body(Map.of("kind", "server")).post(env + "/sdk-keys"), admins),
                new Endpoint("revoke sdk key", r -> r.delete(env + "/sdk-keys/" + freshSdkKey(project)), admins),
                new Endpoint("list freezes", r -> r.get(freezes), freezeReaders),
                new Endpoint("read freeze", r -> r.get(freezes + "/" + liftedFreezes.get(project)), freezeReaders),
                new Endpoint("freeze staging", r -> unfrozen(project, r.body(Map.of("environment", ENV, "reason", "matrix"))
                        .post(freezes)), stagingFreezers),
                new Endpoint("freeze the project", r -> unfrozen(project, r.body(Map.of("reason", "matrix")).post(freezes)),
                        Set.of("freezer")),
                new Endpoint("lift a staging freeze", r -> lift(r, project), stagingFreezers));
    }

    @Test
    void everyEndpointTimesEveryCallerInTwoProjects() {
        tokensAndFlags();
        assertThat(endpoints(OTHER)).as("every method of the four management resources, and the two service writes").hasSize(24);
        List<String> mismatches = new ArrayList<>();
        for (String project : List.of(OTHER, TEAM_A)) {
            for (Endpoint endpoint : endpoints(project)) {
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
                        mismatches.add(project + ": " + endpoint.name() + " as " + caller + ": expected " + expected + ", got "
                                + status + " " + response.asString());
                    }
                    if (status == 401 || status == 403) {
                        assertThat(response.contentType()).as(endpoint.name() + " as " + caller).startsWith("application/problem+json");
                    }
                });
            }
        }
        assertThat(mismatches).isEmpty();
    }
}
