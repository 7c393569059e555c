package io.flagledger.approval.supersede;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.create;
import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Only flag-api's genuine events on flag.changes (real Kafka) supersede a request: a tampered record, one signed
 * with a key nobody trusts, or one signed by another service's key is refused, counted and skipped, and the
 * consumer goes on with the next record.
 */
@QuarkusTest
class ForgedFlagChangesTest {

    private static final String P = "shop";
    private static final String PROD = "production";

    @Inject
    MeterRegistry registry;

    @Test
    void forgedRecordsDoNotSupersedeARequestWhileTheGenuineEventDoes() {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        String key = P + "/" + flag;
        double tamperedBefore = rejected("bad-signature");
        double unknownBefore = rejected("unknown-key");
        double notFlagApiBefore = rejected("key-not-for-service");
        double malformedBefore = rejected("malformed");

        // flag-api's genuine event for another flag, edited to name this one
        ObjectNode tampered = (ObjectNode) EventJson.mapper().valueToTree(
                Fixtures.flagChanged(P, Fixtures.seedFlag(P, null), PROD, 2, null));
        tampered.put("flag_id", flag);
        Fixtures.publishFlagChange(key, tampered.toString());
        // well-formed and signed, but with a key nobody trusts
        Fixtures.publishFlagChange(key, new EventSigner("intruder", Ed25519Keys.generate().getPrivate())
                .sign(Fixtures.unsignedFlagChanged(P, flag, PROD, 3, null)));
        // a stranger's key under flag-api's key id
        Fixtures.publishFlagChange(key, new EventSigner(ProducerKeysResource.keyId("flag-api"), Ed25519Keys.generate().getPrivate())
                .sign(Fixtures.unsignedFlagChanged(P, flag, PROD, 4, null)));
        // approval-service's own (trusted) key claiming to be flag-api
        Fixtures.publishFlagChange(key, SigningKeyResource.signer().sign(Fixtures.unsignedFlagChanged(P, flag, PROD, 5, null)));
        Fixtures.publishFlagChange(key, "{\"not\": \"an event\"");

        // a genuine event sent after them with the same key was handled, so they were handled first
        sentinel(key);
        get(id).body("state", equalTo("pending")).body("lastApplyError", org.hamcrest.Matchers.nullValue());
        assertThat(rejected("bad-signature") - tamperedBefore).isEqualTo(2);
        assertThat(rejected("unknown-key") - unknownBefore).isEqualTo(1);
        assertThat(rejected("key-not-for-service") - notFlagApiBefore).isEqualTo(1);
        assertThat(rejected("malformed") - malformedBefore).isEqualTo(1);

        // the genuine event supersedes the request
        AuditEvent genuine = Fixtures.flagChanged(P, flag, PROD, 2, null);
        Fixtures.publishFlagChange(key, genuine);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(id).body("state", equalTo("superseded")));
    }

    private double rejected(String reason) {
        Counter counter = registry.find("flagledger.approval.events.rejected").tag("topic", "flag.changes").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A pending request superseded by an event sent after others with the same key: those were handled first. */
    private static void sentinel(String key) {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, flag, PROD, 2, null));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(id).body("state", equalTo("superseded")));
    }

    private static String fileFlag(String flag) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, flag, PROD, config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
    }

    private static ValidatableResponse get(String id) {
        return given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + id).then().statusCode(200);
    }
}
