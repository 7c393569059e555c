package io.flagledger.testsupport.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import org.junit.jupiter.api.Test;

/**
 * What every Flagledger service promises to its operators. A service's test extends this and is
 * annotated {@code @QuarkusTest}; it then runs against that service's real database, Kafka and Keycloak.
 */
public abstract class PlatformEndpointsContract {

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessCoversDatabaseAndKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "Kafka connection health check"));
    }

    @Test
    void prometheusMetricsAreExposed() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void openApiDocumentIsServed() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).body("openapi", containsString("3."));
    }

    @Test
    void unknownPathsAnswerWithProblemDetails() {
        given().get("/api/v1/no-such-thing").then().statusCode(404).contentType("application/problem+json");
    }
}
