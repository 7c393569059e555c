package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.approval.FakeFlagApiResource;
import io.flagledger.approval.Fixtures;
import io.flagledger.approval.console.ConsoleSession;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An approved change whose apply meets an incident freeze (flag-api answers 423 naming it) fails visibly and
 * recovers: the request stays approved, the API and the console name the freeze, and it is applied once the freeze is
 * lifted — at once when flag-api's signed {@code freeze.lifted} arrives, without waiting out the backoff.
 * flag-api is the stand-in of the other approval-service tests; the real one is in e2e's FreezeIT.
 */
@QuarkusTest
class FrozenApplyTest {

    private static final String P = "shop";

    @TestHTTPResource("/")
    URL root;

    @Test
    void anApplyBlockedByAFreezeWaitsVisiblyAndIsAppliedAfterTheLift() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        String id = ChangeRequestFlowTest.file(flag, "production", config(true, 40000)).extract().path("id");
        ChangeRequestFlowTest.decide("approver1", id, "approvals");
        Fixtures.fakeMode(FakeFlagApiResource.FROZEN);
        try {
            ChangeRequestFlowTest.decide("approver2", id, "approvals").body("state", equalTo("approved"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ChangeRequestFlowTest.get(id)
                    .body("frozenBy.id", equalTo(FakeFlagApiResource.FREEZE_ID)));
            ChangeRequestFlowTest.get(id).body("state", equalTo("approved"))
                    .body("frozenBy.reason", equalTo("INC-311: checkout errors")).body("frozenBy.setBy", equalTo("freezer"))
                    .body("lastApplyError", containsString("incident freeze"));
            String page = ConsoleSession.signIn(root.toURI(), "approver1", "/console").get("/console/requests/" + id).body();
            assertThat(page).contains("id=\"frozen\"").contains("Blocked by the incident freeze " + FakeFlagApiResource.FREEZE_ID)
                    .contains("every environment of shop").contains("INC-311: checkout errors").contains("set by freezer");
            assertThat(Fixtures.writes(P, flag)).isZero();
            // let the backoff grow past what the test waits for below, so only the lift can explain the apply
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> ChangeRequestFlowTest.get(id)
                    .body("applyAttempts", org.hamcrest.Matchers.greaterThanOrEqualTo(4)));
        } finally {
            Fixtures.fakeMode("normal");
        }
        Fixtures.publishFlagChange(P, lifted());
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> ChangeRequestFlowTest.get(id).body("state", equalTo("applied")));
        ChangeRequestFlowTest.get(id).body("frozenBy", nullValue()).body("appliedVersion", equalTo(2));
        assertThat(Fixtures.writes(P, flag)).isEqualTo(1);
        // the ledger: the first blocked attempt names the freeze, then the apply
        AuditEvent blocked = Fixtures.events(e -> flag.equals(e.flagId()) && e.action().equals("change_request.apply_blocked")
                && e.previousState() != null && !e.previousState().has("frozen_by"), 1).get(0);
        assertThat(blocked.newState().path("frozen_by").asText()).isEqualTo(FakeFlagApiResource.FREEZE_ID);
        assertThat(blocked.reason()).contains(FakeFlagApiResource.FREEZE_ID);
        Fixtures.events(e -> flag.equals(e.flagId()) && e.action().equals("change_request.applied"), 1);
    }

    /** flag-api's signed event of the freeze lifted. */
    private static AuditEvent lifted() throws Exception {
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-freezer").actorName("freezer").actorType(ActorType.USER).actorRoles("flag-freezer")
                .sourceService("flag-api").action("freeze.lifted").project(P)
                .newState(JsonNodeFactory.instance.objectNode().put("id", FakeFlagApiResource.FREEZE_ID))
                .correlationId("INC-311").reason("INC-311 resolved").build());
    }
}
