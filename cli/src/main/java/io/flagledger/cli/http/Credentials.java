package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.Response;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Who the CLI acts as, never from a password: an access token from the environment ({@code FLAGLEDGER_TOKEN}, e.g. a
 * CI job's exchanged token), client credentials ({@code FLAGLEDGER_CLIENT_ID}/{@code FLAGLEDGER_CLIENT_SECRET} against
 * {@code FLAGLEDGER_ISSUER}, through Quarkus' OIDC client), or the OIDC device flow, where a person confirms in a browser.
 */
@ApplicationScoped
public class Credentials {

    @Inject
    OidcClients oidcClients;

    private volatile String token;
    private boolean deviceLogin;
    private Map<String, String> environment = System.getenv();

    /** Per command: whether to sign in through the device flow when nothing in the environment says who we are. */
    public Credentials deviceLogin(boolean deviceLogin) {
        this.deviceLogin = deviceLogin;
        return this;
    }

    /** For tests: another environment than the process's. */
    public void environment(Map<String, String> environment) {
        this.environment = environment;
        this.token = null;
    }

    /** Adds the bearer token to every request of a client it is registered on. */
    public ClientRequestFilter filter() {
        return (ClientRequestContext request) -> request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + token());
    }

    public synchronized String token() {
        if (token == null) {
            token = obtain();
        }
        return token;
    }

    /** An environment variable, or the same setting as a system property ({@code FLAGLEDGER_TOKEN}: {@code flagledger.token}). */
    private String setting(String variable) {
        String v = environment.get(variable);
        return v != null ? v : System.getProperty(variable.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
    }

    private String obtain() {
        String fixed = setting("FLAGLEDGER_TOKEN");
        if (fixed != null && !fixed.isBlank()) {
            return fixed.strip();
        }
        String issuer = setting("FLAGLEDGER_ISSUER");
        String clientId = setting("FLAGLEDGER_CLIENT_ID");
        String secret = setting("FLAGLEDGER_CLIENT_SECRET");
        if (issuer == null || issuer.isBlank()) {
            throw new CliException(ExitCodes.ERROR, "not signed in: set FLAGLEDGER_TOKEN, or FLAGLEDGER_ISSUER with "
                    + "FLAGLEDGER_CLIENT_ID and FLAGLEDGER_CLIENT_SECRET (client credentials), or FLAGLEDGER_ISSUER with --device-login");
        }
        if (secret != null && !secret.isBlank() && clientId != null && !clientId.isBlank()) {
            var config = OidcClientConfig.builder().authServerUrl(issuer).id("flagledger-cli").clientId(clientId).credentials(secret)
                    .grant(OidcClientConfig.Grant.Type.CLIENT).build();
            return oidcClients.newClient(config).await().atMost(Duration.ofSeconds(30))
                    .getTokens().await().atMost(Duration.ofSeconds(30)).getAccessToken();
        }
        if (deviceLogin) {
            return deviceFlow(issuer, clientId == null || clientId.isBlank() ? "flagledger-cli" : clientId, System.err);
        }
        throw new CliException(ExitCodes.ERROR, "FLAGLEDGER_ISSUER is set but no client credentials: set "
                + "FLAGLEDGER_CLIENT_ID and FLAGLEDGER_CLIENT_SECRET, or pass --device-login");
    }

    /** RFC 8628: show the user a URL and code, then poll the token endpoint until they confirmed (or it expired). */
    static String deviceFlow(String issuer, String clientId, PrintStream prompt) {
        Oidc oidc = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(issuer.endsWith("/") ? issuer : issuer + "/"))
                .build(Oidc.class);
        JsonNode discovery = oidc.discovery();
        String deviceEndpoint = discovery.path("device_authorization_endpoint").asText(null);
        if (deviceEndpoint == null) {
            throw new CliException(ExitCodes.ERROR, "the issuer " + issuer + " offers no device flow");
        }
        MultivaluedHashMap<String, String> start = new MultivaluedHashMap<>();
        start.putSingle("client_id", clientId);
        start.putSingle("scope", "openid");
        JsonNode device = Http.json(oidc.post(deviceEndpoint, start), "device authorization", 200);
        prompt.println("To sign in, open " + device.path("verification_uri_complete").asText(device.path("verification_uri").asText())
                + " and confirm the code " + device.path("user_code").asText());
        long interval = Math.max(1, device.path("interval").asLong(5));
        long deadline = System.nanoTime() + Duration.ofSeconds(device.path("expires_in").asLong(600)).toNanos();
        MultivaluedHashMap<String, String> poll = new MultivaluedHashMap<>();
        poll.putSingle("client_id", clientId);
        poll.putSingle("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
        poll.putSingle("device_code", device.path("device_code").asText());
        String tokenEndpoint = discovery.path("token_endpoint").asText();
        while (System.nanoTime() < deadline) {
            sleep(Duration.ofSeconds(interval));
            try (Response r = oidc.post(tokenEndpoint, poll)) {
                JsonNode body = r.readEntity(JsonNode.class);
                if (r.getStatus() == 200) {
                    return body.path("access_token").asText();
                }
                String error = body.path("error").asText();
                if ("slow_down".equals(error)) {
                    interval += 5;
                } else if (!"authorization_pending".equals(error)) {
                    throw new CliException(ExitCodes.ERROR, "device sign-in failed: " + error);
                }
            }
        }
        throw new CliException(ExitCodes.ERROR, "device sign-in expired before it was confirmed");
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted");
        }
    }
}
