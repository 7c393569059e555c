package io.flagledger.approval;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** The console's OIDC client secret of this Keycloak run; ordered after {@link KeycloakResource} started it. */
public class ConsoleClientResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.oidc.console.credentials.secret", KeycloakResource.clientSecret("flagledger-console"),
                // plain http on 127.0.0.1 in tests
                "quarkus.oidc.console.authentication.cookie-force-secure", "false",
                "quarkus.rest-csrf.cookie-force-secure", "false");
    }

    @Override
    public void stop() {
        // nothing started
    }

    @Override
    public int order() {
        return 100;
    }
}
