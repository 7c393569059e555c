package io.flagledger.flagapi.ofrep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenFeature Java SDK with its own OFREP provider, unchanged, against flag-api. */
@QuarkusTest
class OpenFeatureProviderTest {

    /** Every OFREP answer these tests receive is checked against the protocol's schemas. */
    @org.junit.jupiter.api.BeforeEach
    void validated() {
        OfrepSchema.install();
    }


    @Test
    void theStandardProviderEvaluatesOurFlags() {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        OpenFeatureAPI api = OpenFeatureAPI.getInstance();
        api.setProviderAndWait("flagledger", OfrepProvider.constructProvider(OfrepProviderOptions.builder()
                .baseUrl("http://localhost:" + RestAssured.port)
                .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + sdkKey)))
                .build()));
        Client client = api.getClient("flagledger");
        ImmutableContext dutch = new ImmutableContext("user-1", Map.of("country", new Value("NL")));

        FlagEvaluationDetails<Boolean> details = await().atMost(Duration.ofSeconds(20))
                .until(() -> client.getBooleanDetails(key, false, dutch), d -> d.getErrorCode() == null);
        assertThat(details.getValue()).isTrue();
        assertThat(details.getVariant()).isEqualTo("on");
        assertThat(details.getReason()).isEqualTo("TARGETING_MATCH");

        FlagEvaluationDetails<Boolean> german = client.getBooleanDetails(key, true,
                new ImmutableContext("user-1", Map.of("country", new Value("DE"))));
        assertThat(german.getValue()).isFalse();
        assertThat(german.getReason()).isEqualTo("DEFAULT");

        FlagEvaluationDetails<Boolean> missing = client.getBooleanDetails("no-such-flag", true, dutch);
        assertThat(missing.getValue()).isTrue();
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);

        FlagEvaluationDetails<String> wrongType = client.getStringDetails(key, "fallback", dutch);
        assertThat(wrongType.getValue()).isEqualTo("fallback");
        assertThat(wrongType.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
        api.shutdown();
    }
}
