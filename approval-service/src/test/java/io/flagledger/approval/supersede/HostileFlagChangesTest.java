package io.flagledger.approval.supersede;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.create;
import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.flagledger.approval.Fixtures;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Records no event can be made of, on flag.changes (real Kafka): garbage bytes, truncated JSON, an oversized record
 * and a NUL-carrying one are counted with their reason and skipped, and flag-api's genuine event sent after them on
 * the same partition still supersedes the request.
 */
@QuarkusTest
class HostileFlagChangesTest {

    private static final String P = "shop";

    @Inject
    MeterRegistry registry;

    @Test
    void hostileRecordsAreSkippedAndTheGenuineEventStillSupersedes() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        String id = given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, flag, "production", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        String key = P + "/" + flag;
        double malformed = rejected("malformed");
        double oversized = rejected("oversized");
        double invalid = rejected("invalid-envelope");

        String genuine = EventJson.toJson(Fixtures.flagChanged(P, flag, "production", 2, null));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : new byte[][] {
                    {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3, 0x28, 0x7b},
                    genuine.substring(0, genuine.length() / 2).getBytes(StandardCharsets.UTF_8),
                    genuine.replace("\"project\":\"shop\"", "\"project\":\"shop\",\"padding\":\"" + "x".repeat(600 * 1024) + "\"")
                            .getBytes(StandardCharsets.UTF_8),
                    genuine.replace("\"correlation_id\":\"", "\"correlation_id\":\"\\u0000").getBytes(StandardCharsets.UTF_8),
                    genuine.getBytes(StandardCharsets.UTF_8)}) {
                producer.send(new ProducerRecord<>("flag.changes", key, value)).get();
            }
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(token("viewer"))
                .get("/api/v1/change-requests/" + id).then().statusCode(200).body("state", equalTo("superseded")));
        assertThat(rejected("malformed") - malformed).isEqualTo(2);
        assertThat(rejected("oversized") - oversized).isEqualTo(1);
        assertThat(rejected("invalid-envelope") - invalid).isEqualTo(1);
    }

    private double rejected(String reason) {
        Counter counter = registry.find("flagledger.approval.events.rejected").tag("topic", "flag.changes").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
