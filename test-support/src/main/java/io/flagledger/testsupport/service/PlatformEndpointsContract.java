package io.flagledger.testsupport.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
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

    /**
     * "METHOD /path" of the operations meant to be reachable with no credentials at all; everything else must
     * name its security scheme. Empty unless a service overrides it.
     */
    protected Set<String> publicOperations() {
        return Set.of();
    }

    /** False for a service that serves no API of its own (only /q/ endpoints): its document has no operation. */
    protected boolean servesApi() {
        return true;
    }

    /** Every operation is documented well enough to generate a client from (see OpenApiCompleteness). */
    @Test
    void openApiDocumentIsComplete() throws Exception {
        String json = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        // Kept for reading when the check fails, and for docs/openapi.md's counts.
        Files.writeString(Files.createDirectories(Path.of("target")).resolve("openapi.json"), json);
        Map<String, Object> document = io.restassured.path.json.JsonPath.from(json).getMap("$");
        OpenApiCompleteness.Result result = OpenApiCompleteness.check(document, publicOperations());
        System.out.println("OpenAPI completeness: " + result.operations().size() + " operations checked");
        assertTrue(result.operations().isEmpty() != servesApi(), "operations in the document: " + result.operations());
        assertTrue(result.missing().isEmpty(), result.missing().size() + " gap(s) in the OpenAPI document:\n"
                + String.join("\n", result.missing()));
    }

    @Test
    void unknownPathsAnswerWithProblemDetails() {
        given().get("/api/v1/no-such-thing").then().statusCode(404).contentType("application/problem+json");
    }
}
