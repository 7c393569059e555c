package io.flagledger.approval.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A person signed in to the console at the HTTP level: the real authorization code flow with PKCE through
 * Keycloak's login form, then the session and CSRF cookies a browser would keep. No JavaScript is involved, as in
 * the console itself.
 */
public final class ConsoleSession {

    private static final Pattern LOGIN_FORM = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");
    private static final Pattern CSRF = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">");

    private final URI base;
    private final HttpClient http;
    private final StringBuilder trace = new StringBuilder();
    /**
     * Cookies by host. A plain jar rather than java.net.CookieManager: Keycloak marks its cookies Secure, which
     * browsers honour on http://localhost and 127.0.0.1 (secure contexts) but CookieManager does not.
     */
    private final Map<String, Map<String, String>> cookies = new java.util.HashMap<>();

    private ConsoleSession(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Signs demo user {@code user} in by opening {@code path} and following the provider's login, like a browser. */
    public static ConsoleSession signIn(URI base, String user, String path) {
        return signIn(base, user, KeycloakResource.realm().password(user), path);
    }

    /** Signs any user of the realm in (e.g. one a test created) with {@code password}. */
    public static ConsoleSession signIn(URI base, String user, String password, String path) {
        ConsoleSession s = new ConsoleSession(base);
        HttpResponse<String> login = s.follow(s.get(path));
        Matcher form = LOGIN_FORM.matcher(login.body());
        assertThat(form.find()).as("Keycloak's login form").isTrue();
        String action = form.group(1).replace("&amp;", "&");
        HttpResponse<String> page = s.follow(s.send(HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(Map.of("username", user,
                        "password", password, "credentialId", "")))).build()));
        assertThat(page.statusCode()).as("console page after sign-in: %s", s.trace).isIn(200, 403);
        return s;
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    /** A form POST exactly as the browser sends it (no redirect followed). */
    public HttpResponse<String> post(String path, Map<String, String> fields) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(fields))).build());
    }

    /** The fields of the filing form for {@code project}/{@code flag} in production at version 1, as a browser posts them. */
    public static Map<String, String> filing(Map.Entry<String, String> csrf, String project, String flag, String config,
                                             String reason, String correlationId) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(csrf.getKey(), csrf.getValue());
        f.put("project", project);
        f.put("flag", flag);
        f.put("environment", "production");
        f.put("baseVersion", "1");
        f.put("config", config);
        f.put("reason", reason);
        f.put("correlationId", correlationId);
        return f;
    }

    /** The CSRF field of a rendered form: name and value. */
    public static Map.Entry<String, String> csrf(String html) {
        Matcher m = CSRF.matcher(html);
        while (m.find()) {
            if (m.group(1).contains("csrf")) {
                return Map.entry(m.group(1), m.group(2));
            }
        }
        throw new AssertionError("no CSRF field in the page");
    }

    private HttpResponse<String> follow(HttpResponse<String> response) {
        HttpResponse<String> r = response;
        for (int i = 0; i < 10 && r.statusCode() / 100 == 3; i++) {
            URI next = r.uri().resolve(r.headers().firstValue("Location").orElseThrow());
            r = send(HttpRequest.newBuilder(next).GET().build());
        }
        return r;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            Map<String, String> jar = cookies.computeIfAbsent(request.uri().getHost(), h -> new LinkedHashMap<>());
            HttpRequest withCookies = jar.isEmpty() ? request : HttpRequest.newBuilder(request, (n, v) -> true)
                    .header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("; "))).build();
            HttpResponse<String> r = http.send(withCookies, HttpResponse.BodyHandlers.ofString());
            for (String set : r.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String lower = set.toLowerCase(java.util.Locale.ROOT);
                if (lower.contains("max-age=0") || pair.substring(eq + 1).isEmpty()) {
                    jar.remove(name);
                } else {
                    jar.put(name, pair.substring(eq + 1));
                }
            }
            trace.append('\n').append(request.method()).append(' ').append(request.uri()).append(" -> ").append(r.statusCode())
                    .append(' ').append(r.headers().allValues("Set-Cookie"));
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String encode(Map<String, String> fields) {
        return new LinkedHashMap<>(fields).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
