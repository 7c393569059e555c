package io.flagledger.e2e;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A signed-in session on approval-service's console without a browser: the OIDC authorization code flow through
 * Keycloak's login form, then the session and CSRF cookies a form post needs, as a {@code Cookie} header.
 */
final class ConsoleSession {

    private static final Pattern LOGIN_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");
    private static final Pattern CSRF_INPUT = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\"");

    private final Jar cookies = new Jar();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.ALWAYS)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String csrfField;
    final String csrfToken;
    /** The page the sign-in landed on, and its status. */
    final String firstPage;
    final int firstStatus;

    /**
     * Signs {@code user} in on {@code formPage} (a console page that renders a form with the CSRF field, e.g. the filing
     * form with its flag loaded) and reads the CSRF token from it.
     */
    ConsoleSession(String approvalUrl, String formPage, String user, String password) throws IOException, InterruptedException {
        this(approvalUrl, formPage, user, password, true);
    }

    /** Signs {@code user} in on {@code page}; {@code withForm}: the page must carry the CSRF field (read into the session). */
    ConsoleSession(String approvalUrl, String page, String user, String password, boolean withForm)
            throws IOException, InterruptedException {
        String login = get(approvalUrl + page).body();
        Matcher action = LOGIN_ACTION.matcher(login);
        if (!action.find()) {
            throw new IllegalStateException("no Keycloak login form at " + approvalUrl + page + ":\n" + abbreviate(login));
        }
        String form = "username=" + enc(user) + "&password=" + enc(password) + "&credentialId=";
        HttpResponse<String> landed = http.send(HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher csrf = CSRF_INPUT.matcher(landed.body());
        boolean found = csrf.find();
        // Without a form any answer of the console counts (a 403 page for an account without a Flagledger role too).
        boolean answered = withForm ? landed.statusCode() == 200 && found
                : landed.statusCode() < 500 && !LOGIN_ACTION.matcher(landed.body()).find();
        if (!answered) {
            throw new IllegalStateException("signing in " + user + " on the console ended with " + landed.statusCode() + " at "
                    + landed.uri() + ":\n" + abbreviate(landed.body()));
        }
        csrfField = found ? csrf.group(1) : null;
        csrfToken = found ? csrf.group(2) : null;
        firstPage = landed.body();
        firstStatus = landed.statusCode();
    }

    /** The session and CSRF cookies (and Keycloak's, which the console ignores), as one {@code Cookie} header value. */
    String cookieHeader() {
        return cookies.header();
    }

    /**
     * Every cookie of 127.0.0.1, whatever its Secure flag: {@link java.net.CookieManager} keeps Secure cookies (Keycloak
     * sets its login cookies so) away from plain http, where a browser treats loopback as a secure context.
     */
    private static final class Jar extends CookieHandler {
        private final Map<String, String> values = new ConcurrentHashMap<>();

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) {
            return values.isEmpty() ? Map.of() : Map.of("Cookie", List.of(header()));
        }

        @Override
        public void put(URI uri, Map<String, List<String>> responseHeaders) {
            responseHeaders.forEach((name, lines) -> {
                if (name != null && name.equalsIgnoreCase("Set-Cookie")) {
                    for (String line : lines) {
                        String pair = line.split(";", 2)[0];
                        int eq = pair.indexOf('=');
                        String cookie = pair.substring(0, eq).trim();
                        String value = pair.substring(eq + 1).trim();
                        if (value.isEmpty() || line.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
                            values.remove(cookie);
                        } else {
                            values.put(cookie, value);
                        }
                    }
                }
            });
        }

        String header() {
            return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() > 1500 ? text.substring(0, 1500) + "…" : text;
    }
}
