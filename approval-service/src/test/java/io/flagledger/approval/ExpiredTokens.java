package io.flagledger.approval;

import io.flagledger.testsupport.keycloak.Keycloak;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.keycloak.KeycloakUsers;

/**
 * A genuinely expired access token: Keycloak issues it (real signature, real issuer) through a test client whose
 * tokens live two seconds, and we wait until it has expired.
 */
public final class ExpiredTokens {

    private static final String CLIENT = "expiring-test-client";
    private static String expired;

    private ExpiredTokens() {
    }

    public static synchronized String expiredTokenFor(String user) throws Exception {
        if (expired == null) {
            KeycloakUsers.createClient("""
                    {"clientId":"%s","publicClient":true,"directAccessGrantsEnabled":true,"standardFlowEnabled":false,
                     "attributes":{"access.token.lifespan":"2"}}""".formatted(CLIENT));
            Keycloak kc = KeycloakResource.keycloak();
            expired = kc.passwordToken(CLIENT, null, user, KeycloakResource.realm().password(user));
            Thread.sleep(4000);
        }
        return expired;
    }
}
