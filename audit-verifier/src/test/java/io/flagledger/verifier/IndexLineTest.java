package io.flagledger.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The index line read without a JSON parser reads as Jackson reads it, or is left to Jackson. */
class IndexLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"{\"seq\":1,\"leaf_hash\":\"bGVhZg==\"}", "{\"seq\":123456789012345678,\"leaf_hash\":\"\"}",
            "{\"seq\":0,\"leaf_hash\":\"x\"}", "{\"seq\":42,\"leaf_hash\":\"not base64 but plain\"}"})
    void exporterLinesAreReadAsJacksonReadsThem(String line) throws IOException {
        BundleVerifier.IndexLine plain = BundleVerifier.IndexLine.plain(bytes(line));
        assertThat(plain).isNotNull();
        JsonNode jackson = EventJson.mapper().readTree(bytes(line));
        assertThat(plain.seq()).isEqualTo(jackson.path("seq").asLong(-1));
        assertThat(plain.leafHash()).isEqualTo(jackson.path("leaf_hash").asText());
        assertThat(plain.proof().isMissingNode()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"seq\":01,\"leaf_hash\":\"x\"}", "{\"seq\":-1,\"leaf_hash\":\"x\"}",
            "{\"seq\":1234567890123456789,\"leaf_hash\":\"x\"}", "{\"seq\":1.5,\"leaf_hash\":\"x\"}",
            "{\"seq\":\"7\",\"leaf_hash\":\"x\"}", "{\"seq\":1,\"leaf_hash\":\"a\\\"b\"}", "{\"seq\":1,\"leaf_hash\":\"é\"}",
            "{\"seq\":1,\"leaf_hash\":\"x\"} ", "{\"seq\":1,\"leaf_hash\":\"x\"}{}", "{\"seq\":1,\"leaf_hash\":\"x\",\"proof\":[]}",
            "{\"seq\":1,\"leaf_hash\":\"x\"", "{\"seq\":1, \"leaf_hash\":\"x\"}", "{\"seq\":,\"leaf_hash\":\"x\"}",
            "{\"seq\":1,\"leaf_hash\":\"\u0001\"}", ""})
    void everyOtherLineIsLeftToJackson(String line) {
        assertThat(BundleVerifier.IndexLine.plain(bytes(line))).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
