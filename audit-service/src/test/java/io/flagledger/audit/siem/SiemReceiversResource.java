package io.flagledger.audit.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The SIEM receivers the sinks deliver to: a real rsyslogd (Debian package) with an imtcp input on a loopback
 * port writing to a file, and a Splunk HEC receiver (JDK HttpServer) that checks the token and the HEC JSON format
 * and appends accepted events to a file. Tests steer them across Quarkus class loaders through system properties:
 * {@link #stopRsyslog()}/{@link #startRsyslog()}, {@code flagledger.test.hec.fail} (answer that status) and
 * {@code flagledger.test.hec.reject} (refuse events with that correlation id with 400, as HEC does for bad data).
 */
public class SiemReceiversResource implements QuarkusTestResourceLifecycleManager {

    static final String DIR = "flagledger.test.siem.dir";
    static final String SYSLOG_PORT = "flagledger.test.siem.syslog.port";
    static final String RSYSLOG_PID = "flagledger.test.siem.rsyslog.pid";
    static final String HEC_FAIL = "flagledger.test.hec.fail";
    static final String HEC_REJECT = "flagledger.test.hec.reject";
    static final String HEC_REFUSED = "flagledger.test.hec.refused";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer hec;
    private Path dir;
    private String token;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("flagledger-siem");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int syslogPort = freePort();
        System.setProperty(DIR, dir.toString());
        System.setProperty(SYSLOG_PORT, Integer.toString(syslogPort));
        writeRsyslogConf(dir, syslogPort);
        startRsyslog();
        token = UUID.randomUUID().toString();
        try {
            hec = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        hec.createContext("/services/collector/event", this::collect);
        hec.start();
        return Map.of(
                "flagledger.siem.syslog.enabled", "true",
                "flagledger.siem.syslog.host", "127.0.0.1",
                "flagledger.siem.syslog.port", Integer.toString(syslogPort),
                "flagledger.siem.syslog.tls", "false",
                "flagledger.siem.splunk.enabled", "true",
                "flagledger.siem.splunk.hec-url", "http://127.0.0.1:" + hec.getAddress().getPort(),
                "flagledger.siem.splunk.hec-token", token);
    }

    @Override
    public void stop() {
        if (hec != null) {
            hec.stop(0);
        }
        stopRsyslog();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temp directory
            }
        }
    }

    /** Lines rsyslog wrote: {@code APP-NAME MSGID STRUCTURED-DATA MSG}. */
    public static List<String> syslogLines() {
        return lines(Path.of(System.getProperty(DIR), "syslog.log"));
    }

    /** Every event the HEC receiver accepted, as received (HEC envelopes). */
    public static List<JsonNode> hecEvents() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(Path.of(System.getProperty(DIR), "hec.jsonl"))) {
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** How many requests the HEC receiver refused because of {@link #HEC_FAIL}. */
    public static int hecRefused() {
        return Integer.parseInt(System.getProperty(HEC_REFUSED, "0"));
    }

    public static synchronized void startRsyslog() {
        Path d = Path.of(System.getProperty(DIR));
        int port = Integer.parseInt(System.getProperty(SYSLOG_PORT));
        Process p;
        try {
            // Debian puts it in /usr/sbin, which a non-root user's PATH often lacks
            String rsyslogd = Files.isExecutable(Path.of("/usr/sbin/rsyslogd")) ? "/usr/sbin/rsyslogd" : "rsyslogd";
            p = new ProcessBuilder(rsyslogd, "-n", "-f", d.resolve("rsyslog.conf").toString(), "-i", d.resolve("rsyslogd.pid").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("rsyslogd.out").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start rsyslogd: install it with 'sudo apt-get install rsyslog' (./test does it)", e);
        }
        System.setProperty(RSYSLOG_PID, Long.toString(p.pid()));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!canConnect(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("rsyslogd did not listen on " + port + ": " + read(d.resolve("rsyslogd.out")));
            }
            sleep(100);
        }
    }

    public static synchronized void stopRsyslog() {
        Optional.ofNullable(System.getProperty(RSYSLOG_PID)).flatMap(pid -> ProcessHandle.of(Long.parseLong(pid))).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
        System.clearProperty(RSYSLOG_PID);
        Path pidFile = Path.of(System.getProperty(DIR), "rsyslogd.pid");
        pidFile.toFile().delete();
    }

    private void collect(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "{\"text\":\"Method not allowed\",\"code\":7}");
                return;
            }
            if (!("Splunk " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, "{\"text\":\"Invalid authorization\",\"code\":3}");
                return;
            }
            String fail = System.getProperty(HEC_FAIL);
            if (fail != null) {
                System.setProperty(HEC_REFUSED, Integer.toString(hecRefused() + 1));
                answer(exchange, Integer.parseInt(fail), "{\"text\":\"Server is busy\",\"code\":9}");
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            List<String> accepted = new ArrayList<>();
            String reject = System.getProperty(HEC_REJECT);
            int index = 0;
            try (MappingIterator<JsonNode> events = JSON.readerFor(JsonNode.class).readValues(body)) {
                while (events.hasNext()) {
                    JsonNode e = events.next();
                    boolean valid = e.path("time").isNumber() && e.path("host").isTextual() && e.path("source").isTextual()
                            && e.path("sourcetype").isTextual() && e.path("event").isObject();
                    if (!valid || (reject != null && reject.equals(e.path("event").path("flagledger").path("correlation_id").asText()))) {
                        // Like HEC: events before the bad one are indexed, the rest of the request is not.
                        append(accepted);
                        answer(exchange, 400, "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":" + index + "}");
                        return;
                    }
                    accepted.add(e.toString());
                    index++;
                }
            } catch (IOException e) {
                answer(exchange, 400, "{\"text\":\"Invalid data format\",\"code\":6}");
                return;
            }
            if (accepted.isEmpty()) {
                answer(exchange, 400, "{\"text\":\"No data\",\"code\":5}");
                return;
            }
            append(accepted);
            answer(exchange, 200, "{\"text\":\"Success\",\"code\":0}");
        }
    }

    private synchronized void append(List<String> lines) throws IOException {
        if (!lines.isEmpty()) {
            Files.write(dir.resolve("hec.jsonl"), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void writeRsyslogConf(Path dir, int port) {
        String conf = """
                global(workDirectory="%1$s" maxMessageSize="64k" net.enableDNS="off")
                module(load="imtcp")
                template(name="siem" type="string" string="%%app-name%% %%msgid%% %%structured-data%% %%msg%%\\n")
                ruleset(name="siem") {
                  action(type="omfile" file="%1$s/syslog.log" template="siem")
                }
                input(type="imtcp" port="%2$d" address="127.0.0.1" ruleset="siem")
                """.formatted(dir, port);
        try {
            Files.writeString(dir.resolve("rsyslog.conf"), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        return String.join("\n", lines(file));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
