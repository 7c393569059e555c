package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.approval.ExpiredTokens;
import io.flagledger.approval.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint × every identity: the demo users, the approval-service service account, no token, a garbage
 * token and an expired one. "Allowed" means the role gate let the call through (the answer may still be a
 * separation-of-duty 403 or a state 409, with their own messages); "denied" is the role gate's 403. The requests are
 * in project shop, where editor-a and approver-a (roles scoped to project team-a) pass the role gate and are then
 * refused by scope: 403 naming shop, and an empty list. The auditor reads requests (who approved what is audit
 * evidence) and decides nothing. The service account holds only flag-applier: it may do nothing here.
 */
@QuarkusTest
class RoleMatrixTest {

    private static final String ROLE_DENIED = "Your roles do not allow this operation";
    private static final List<String> IDENTITIES = List.of("requester", "approver1", "approver2", "sre", "viewer",
            "admin", "auditor", "approval-service", "editor-a", "approver-a", "<none>", "<garbage>", "<expired>");
    private static final Set<String> SCOPED_ELSEWHERE = Set.of("editor-a", "approver-a");
    private static final Set<String> READERS = Set.of("requester", "approver1", "approver2", "sre", "viewer", "admin",
            "auditor", "editor-a", "approver-a");
    private static final Set<String> EDITORS = Set.of("requester", "sre", "editor-a");
    private static final Set<String> APPROVERS = Set.of("approver1", "approver2", "approver-a");
    private static final Set<String> EDITORS_AND_APPROVERS = Set.of("requester", "sre", "approver1", "approver2", "editor-a", "approver-a");

    private static String flag;
    private static String segment;
    private static String id;

    record Endpoint(String name, Set<String> allowed, BiFunction<RequestSpecification, String, Response> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> matrix() {
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST /change-requests", EDITORS, (r, cr) -> r.body(Fixtures.create("shop", flag, "production",
                        config(true, 777)).toString()).post("/api/v1/change-requests")),
                new Endpoint("POST /change-requests (segment)", EDITORS, (r, cr) -> r.body(Fixtures.createSegment("shop",
                        segment, "production", Fixtures.segmentDefinition(List.of("user-1", "user-2"), List.of())).toString())
                        .post("/api/v1/change-requests")),
                new Endpoint("GET /change-requests", READERS, (r, cr) -> r.get("/api/v1/change-requests")),
                new Endpoint("GET /change-requests/{id}", READERS, (r, cr) -> r.get("/api/v1/change-requests/" + cr)),
                new Endpoint("POST /{id}/approvals", APPROVERS, (r, cr) -> r.header("If-Match", "\"1\"").body("{}").post("/api/v1/change-requests/" + cr + "/approvals")),
                new Endpoint("POST /{id}/rejections", APPROVERS, (r, cr) -> r.header("If-Match", "\"1\"").body("{}").post("/api/v1/change-requests/" + cr + "/rejections")),
                new Endpoint("POST /{id}/withdrawal", EDITORS, (r, cr) -> r.body("{}").post("/api/v1/change-requests/" + cr + "/withdrawal")),
                new Endpoint("PUT /{id}/proposal", EDITORS_AND_APPROVERS, (r, cr) -> r.body(Map.of("config", config(true, 888)))
                        .put("/api/v1/change-requests/" + cr + "/proposal")),
                new Endpoint("POST /{id}/apply", EDITORS, (r, cr) -> r.post("/api/v1/change-requests/" + cr + "/apply")));
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : endpoints) {
            for (String identity : IDENTITIES) {
                cases.add(Arguments.of(e, identity));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void roleGate(Endpoint endpoint, String identity) throws Exception {
        if (flag == null) {
            flag = Fixtures.seedFlag("shop", null);
            segment = Fixtures.seedSegment("shop", "production", 1, Fixtures.segmentDefinition(List.of("user-1"), List.of()));
        }
        // a fresh pending request per case, so one case's decision never changes another's answer
        String cr = given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Fixtures.create("shop", flag, "production", config(true, 555)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        RequestSpecification request = given().contentType(ContentType.JSON);
        switch (identity) {
            case "<none>" -> { }
            case "<garbage>" -> request.header("Authorization", "Bearer not.a.jwt");
            case "<expired>" -> request.auth().oauth2(ExpiredTokens.expiredTokenFor("approver1"));
            default -> request.auth().oauth2(token(identity));
        }
        Response response = endpoint.call().apply(request, cr);
        int status = response.statusCode();
        String detail = status >= 400 ? response.jsonPath().getString("detail") : null;
        if (identity.startsWith("<")) {
            assertThat(status).as("status").isEqualTo(401);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        } else if (endpoint.allowed().contains(identity) && SCOPED_ELSEWHERE.contains(identity)) {
            if (endpoint.name().equals("GET /change-requests")) {
                assertThat(status).isEqualTo(200);
                assertThat(response.jsonPath().getList("items.project", String.class)).doesNotContain("shop");
            } else if (!endpoint.name().startsWith("POST /{id}/withdrawal") && !endpoint.name().startsWith("POST /{id}/apply")) {
                assertThat(status).as("status (%s)", detail).isEqualTo(403);
                assertThat(detail).contains("shop");
            } else {
                assertThat(status).as("only the requester (%s)", detail).isEqualTo(403);
            }
        } else if (endpoint.allowed().contains(identity)) {
            assertThat(status).as("status (%s)", detail).isNotIn(401, 405, 500);
            assertThat(detail).as("detail").isNotEqualTo(ROLE_DENIED);
        } else {
            assertThat(status).as("status").isEqualTo(403);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(detail).isEqualTo(ROLE_DENIED);
        }
    }
}
