package io.flagledger.flagapi.flags;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * flagledger_flag_changes_total counts committed changes by project, environment and actor type: a person's toggle
 * counts for its environment, a flag-wide change (creation) as environment "*", a refused change not at all.
 */
@QuarkusTest
class ChangeMetricsTest {

    private static final String PROJECT = "shop";

    @Test
    void committedChangesAreCountedByProjectEnvironmentAndActorType() {
        String person = KeycloakResource.tokenFor("requester");
        double personStaging = count("person", "staging");
        double flagWide = count("person", "*");

        String key = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(person).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Metrics"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        given().auth().oauth2(person).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key).then().statusCode(200);
        // refused (stale If-Match): not a change
        given().auth().oauth2(person).contentType(ContentType.JSON).header("If-Match", "\"0\"").body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key).then().statusCode(412);

        assertThat(count("person", "staging")).isEqualTo(personStaging + 1);
        // nothing was done by a service account here (monitor-service may only revert: 403 for a plain toggle)
        assertThat(count("person", "*")).isEqualTo(flagWide + 1);
    }

    private static double count(String actorType, String environment) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^flagledger_flag_changes_total\\{([^}]*)} ([0-9.E+-]+)$", Pattern.MULTILINE).matcher(metrics);
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("actor_type=\"" + actorType + "\"") && labels.contains("environment=\"" + environment + "\"")
                    && labels.contains("project=\"" + PROJECT + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
