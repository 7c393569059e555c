package io.flagledger.flagapi.flags;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Migration V12 on flags of the old {@code number} type: made as they were (type set back to {@code number}), then the
 * migration's own SQL is run again: whole values in the 32-bit range make an integer flag, anything else a float flag.
 */
@QuarkusTest
class NumberFlagMigrationTest {

    @Inject
    Pool pool;

    @Test
    void numberFlagsBecomeIntegerOrFloatByTheirValues() throws Exception {
        Map<String, List<Object>> cases = Map.of(
                "integer", List.of(1, 2),
                "integer ", List.of(-2147483648L, 2147483647L),
                "float", List.of(1, 2.5),
                "float ", List.of(1, 3_000_000_000L));
        Map<String, String> keys = new java.util.HashMap<>();
        String editor = KeycloakResource.tokenFor("requester");
        for (var c : cases.entrySet()) {
            String key = "v12-" + UUID.randomUUID().toString().substring(0, 8);
            given().auth().oauth2(editor).contentType(ContentType.JSON)
                    .body(Map.of("key", key, "name", "N", "type", "float", "variations",
                            List.of(Map.of("name", "a", "value", c.getValue().get(0)), Map.of("name", "b", "value", c.getValue().get(1)))))
                    .post("/api/v1/projects/migration/flags").then().statusCode(201);
            // As a flag created before V12 was stored: the values as sent, the type 'number'.
            pool.preparedQuery("update flag set flag_type = 'number', variations = $1 where project = 'migration' and flag_key = $2")
                    .execute(Tuple.of("[{\"name\":\"a\",\"value\":" + c.getValue().get(0) + "},{\"name\":\"b\",\"value\":"
                            + c.getValue().get(1) + "}]", key)).await().atMost(Duration.ofSeconds(10));
            keys.put(key, c.getKey().trim());
        }
        try (InputStream in = getClass().getResourceAsStream("/db/migration/V12__integer_and_float_flags.sql")) {
            pool.query(new String(in.readAllBytes(), StandardCharsets.UTF_8)).execute().await().atMost(Duration.ofSeconds(10));
        }
        for (var k : keys.entrySet()) {
            String type = pool.preparedQuery("select flag_type from flag where project = 'migration' and flag_key = $1")
                    .execute(Tuple.of(k.getKey())).await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
            assertThat(type).as(k.getKey()).isEqualTo(k.getValue());
        }
    }
}
