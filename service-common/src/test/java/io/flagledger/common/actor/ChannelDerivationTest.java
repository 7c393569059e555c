package io.flagledger.common.actor;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.Channel;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** The channel comes from the client a token was issued to, never from what the caller declares. */
class ChannelDerivationTest {

    private static final CurrentActor ACTOR = new CurrentActor();

    static {
        ACTOR.channels = new ChannelConfig() {
            @Override
            public Set<String> consoleClients() {
                return Set.of("flagledger-console");
            }

            @Override
            public Optional<Set<String>> ciClients() {
                return Optional.of(Set.of("ci-pipeline"));
            }

            @Override
            public Set<String> automationClients() {
                return Set.of("approval-service", "monitor-service");
            }
        };
    }

    private static JsonWebToken token(Map<String, Object> claims) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "sub";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
    }

    @Test
    void aPersonIsSeenThroughTheClientTheySignedInWith() {
        assertThat(ACTOR.channelOf(false, token(Map.of("azp", "flagledger-console")))).isEqualTo(Channel.CONSOLE);
        assertThat(ACTOR.channelOf(false, token(Map.of("azp", "flagledger-cli")))).isEqualTo(Channel.API);
        assertThat(ACTOR.channelOf(false, token(Map.of("azp", "ci-pipeline")))).isEqualTo(Channel.CI);
        // a person borrowing a machine's client: what the unexpected-actor rule looks for
        assertThat(ACTOR.channelOf(false, token(Map.of("azp", "approval-service")))).isEqualTo(Channel.AUTOMATION);
        assertThat(ACTOR.channelOf(false, token(Map.of("client_id", "monitor-service")))).isEqualTo(Channel.AUTOMATION);
        assertThat(ACTOR.channelOf(false, token(Map.of()))).isEqualTo(Channel.API);
    }

    @Test
    void aServiceIsAutomationUnlessItCameThroughTheConsole() {
        assertThat(ACTOR.channelOf(true, token(Map.of("azp", "approval-service")))).isEqualTo(Channel.AUTOMATION);
        assertThat(ACTOR.channelOf(true, token(Map.of("azp", "ci-pipeline")))).isEqualTo(Channel.AUTOMATION);
        assertThat(ACTOR.channelOf(true, token(Map.of("azp", "flagledger-console")))).isEqualTo(Channel.CONSOLE);
    }

    @Test
    void azpWinsOverClientId() {
        assertThat(CurrentActor.client(token(Map.of("azp", "flagledger-console", "client_id", "monitor-service"))))
                .isEqualTo("flagledger-console");
        assertThat(CurrentActor.client(token(Map.of("azp", " ", "client_id", "monitor-service")))).isEqualTo("monitor-service");
        assertThat(CurrentActor.client(null)).isNull();
    }
}
