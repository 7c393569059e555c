package io.flagledger.common.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.verify.EventGate;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gate every consuming service builds: keys from the shared mapping plus the service's environment list. */
class TrustedProducersTest {

    private static final KeyPair FLAG_API = Ed25519Keys.generate();
    private static final KeyPair APPROVALS = Ed25519Keys.generate();
    private static final String PROPERTY = "flagledger.test.trusted-keys";

    @Test
    void keysFromTheEnvironmentVariableAreParsedAndBoundToTheirService() {
        EventGate.TrustedKey key = TrustedProducers.parse(PROPERTY, " flag-api-2:flag-api:" + Ed25519Keys.encodePublic(FLAG_API.getPublic()) + " ");
        assertThat(key.keyId()).isEqualTo("flag-api-2");
        assertThat(key.service()).isEqualTo("flag-api");
        assertThat(key.key()).isEqualTo(FLAG_API.getPublic());
        assertThatThrownBy(() -> TrustedProducers.parse(PROPERTY, "flag-api-2:" + Ed25519Keys.encodePublic(FLAG_API.getPublic())))
                .hasMessageContaining(PROPERTY + ": expected <key id>:<service>:<base64 public key>");
        assertThatThrownBy(() -> TrustedProducers.parse(PROPERTY, "k:flag-api:bm90IGEga2V5"))
                .hasMessageContaining("trusted-keys \"k\"");
    }

    @Test
    void theGateTrustsTheMappedKeysAndTheEnvironmentListTogether() {
        ProducerKeysConfig mapped = () -> Map.of("flag-api-1", key("flag-api", FLAG_API));
        EventGate gate = TrustedProducers.gate(mapped,
                Optional.of(List.of(" ", "approval-service-1:approval-service:" + Ed25519Keys.encodePublic(APPROVALS.getPublic()))),
                PROPERTY, Map.of("flag.changes", List.of("flag-api")));
        assertThat(gate.keyIds()).containsExactly("approval-service-1", "flag-api-1");
        assertThat(TrustedProducers.gate(() -> Map.of(), Optional.empty(), PROPERTY, Map.of()).keyIds()).isEmpty();
    }

    @Test
    void aMalformedMappedKeyIsNamedByItsProperty() {
        ProducerKeysConfig mapped = () -> Map.of("bad", new ProducerKeysConfig.TrustedKey() {
            public String service() {
                return "flag-api";
            }

            public String publicKey() {
                return "bm90IGEga2V5";
            }
        });
        assertThatThrownBy(() -> TrustedProducers.gate(mapped, Optional.empty(), PROPERTY, Map.of()))
                .hasMessageContaining("flagledger.audit.trusted-keys.\"bad\".public-key");
    }

    private static ProducerKeysConfig.TrustedKey key(String service, KeyPair pair) {
        return new ProducerKeysConfig.TrustedKey() {
            public String service() {
                return service;
            }

            public String publicKey() {
                return Ed25519Keys.encodePublic(pair.getPublic());
            }
        };
    }
}
