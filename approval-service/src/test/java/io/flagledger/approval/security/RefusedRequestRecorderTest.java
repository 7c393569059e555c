package io.flagledger.approval.security;

import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.approval.db.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Refused requests to approval-service are signed events on security.events: the first in full, repeats summarised. */
@QuarkusTest
class RefusedRequestRecorderTest {

    @Inject
    Db db;

    @Test
    void aViewerFilingARequestIsRecordedOnceInFullAndItsRepeatsAsOneSummary() {
        String correlation = "refused-" + UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            given().auth().oauth2(token("viewer")).contentType(ContentType.JSON).header("X-Correlation-Id", correlation)
                    .body(Fixtures.create("shop", "refused-flag", "production", Fixtures.config(true, 1)).toString())
                    .post("/api/v1/change-requests").then().statusCode(403);
        }
        JsonNode denied = await().atMost(Duration.ofSeconds(10)).until(() -> securityEvents("access.denied").stream()
                .filter(e -> correlation.equals(e.path("correlation_id").asText())).findFirst().orElse(null), e -> e != null);
        assertThat(denied.path("source_service").asText()).isEqualTo("approval-service");
        assertThat(denied.path("scope").path("status").asInt()).isEqualTo(403);
        assertThat(denied.path("scope").path("endpoint").asText()).isEqualTo("/api/v1/change-requests");
        assertThat(denied.path("request").path("channel").asText()).isEqualTo("api");
        assertThat(denied.path("signature").path("value").asText()).isNotBlank();
        String viewer = denied.path("actor_id").asText();

        // the three repeats within the window (2 s in tests) are one summary, written once the window ends
        JsonNode summary = await().atMost(Duration.ofSeconds(15)).until(() -> securityEvents("access.denied.summary").stream()
                .filter(e -> viewer.equals(e.path("actor_id").asText())
                        && "/api/v1/change-requests".equals(e.path("scope").path("endpoint").asText())
                        && e.path("scope").path("status").asInt() == 403)
                .findFirst().orElse(null), e -> e != null);
        assertThat(summary.path("scope").path("count").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aRequestWithoutATokenIsRecordedAsAnonymous() {
        String correlation = "anon-" + UUID.randomUUID();
        given().header("X-Correlation-Id", correlation).get("/api/v1/change-requests").then().statusCode(401);
        JsonNode denied = await().atMost(Duration.ofSeconds(10)).until(() -> securityEvents("access.denied").stream()
                .filter(e -> correlation.equals(e.path("correlation_id").asText())).findFirst().orElse(null), e -> e != null);
        assertThat(denied.path("actor_id").asText()).isEqualTo("anonymous");
        assertThat(denied.path("scope").path("status").asInt()).isEqualTo(401);
    }

    private List<JsonNode> securityEvents(String action) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Row row : db.query("select payload from outbox_event where topic = 'security.events' order by id")) {
            JsonNode event = Fixtures.JSON.readTree(row.getString("payload"));
            if (action.equals(event.path("action").asText())) {
                out.add(event);
            }
        }
        return out;
    }
}
