package io.flagledger.audit.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Syslog over TLS (RFC 5425) against a JDK TLS receiver on loopback, with a certificate made by keytool: the sink
 * checks the server certificate (trust store and host name) and gets the receiver's close as its confirmation.
 * The Debian rsyslog here has no TLS driver (rsyslog-gnutls/-openssl are separate packages), hence a JDK receiver.
 */
class SyslogTlsTest {

    @TempDir
    static Path dir;

    private static final String PASSWORD = "changeit";

    @BeforeAll
    static void certificates() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "syslog", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve("server.p12").toString(),
                "-storepass", PASSWORD);
        run(keytool, "-exportcert", "-alias", "syslog", "-keystore", dir.resolve("server.p12").toString(), "-storepass", PASSWORD,
                "-file", dir.resolve("server.crt").toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "syslog", "-file", dir.resolve("server.crt").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve("trust.p12").toString(), "-storepass", PASSWORD);
        run(keytool, "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=other",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve("other.p12").toString(), "-storepass", PASSWORD);
    }

    @Test
    void deliversOctetCountedFramesOverTls() throws Exception {
        try (SSLServerSocket server = server()) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receive(server));
            SyslogSink sink = sink(server.getLocalPort(), dir.resolve("trust.p12"));
            sink.send(List.of(record(1), record(2)));
            String text = new String(received.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            List<String> frames = frames(text);
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0)).startsWith("<109>1 ").contains("seq=\"1\"");
            String msg = frames.get(1).substring(frames.get(1).indexOf('\uFEFF') + 1);
            assertThat(new ObjectMapper().readTree(msg).path("class_uid").asInt()).isEqualTo(6003);
        }
    }

    @Test
    void anUntrustedServerIsATransientFailureNotADelivery() throws Exception {
        try (SSLServerSocket server = server()) {
            CompletableFuture.runAsync(() -> receive(server));
            SyslogSink sink = sink(server.getLocalPort(), dir.resolve("other.p12"));
            assertThatThrownBy(() -> sink.send(List.of(record(3))))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRejection()).isFalse());
        }
    }

    private static SSLServerSocket server() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    /** Reads until the client's close_notify, then closes: what the sink waits for. */
    private static byte[] receive(SSLServerSocket server) {
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.setSoTimeout(10_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return out.toByteArray();
        } catch (Exception e) {
            return new byte[0];
        }
    }

    private static List<String> frames(String text) {
        List<String> out = new ArrayList<>();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int i = 0;
        while (i < bytes.length) {
            int space = i;
            while (bytes[space] != ' ') {
                space++;
            }
            int length = Integer.parseInt(new String(bytes, i, space - i, StandardCharsets.US_ASCII));
            out.add(new String(bytes, space + 1, length, StandardCharsets.UTF_8));
            i = space + 1 + length;
        }
        return out;
    }

    private static SyslogSink sink(int port, Path truststore) throws Exception {
        SiemConfig.Syslog config = new SiemConfig.Syslog() {
            public boolean enabled() { return true; }
            public String host() { return "127.0.0.1"; }
            public int port() { return port; }
            public boolean tls() { return true; }
            public Optional<String> truststore() { return Optional.of(truststore.toString()); }
            public Optional<String> truststorePassword() { return Optional.of(PASSWORD); }
            public String format() { return "ocsf"; }
            public String sdId() { return "flagledger@32473"; }
            public Duration timeout() { return Duration.ofSeconds(5); }
        };
        return new SyslogSink(config, SiemForwarder.tlsFactory(config), "test-host", "flagledger-audit");
    }

    private static SiemRecord record(long seq) {
        AuditEvent e = new EventSigner("k", Ed25519Keys.generate().getPrivate()).sign(AuditEvent.builder().action("flag.toggled")
                .actorId("alice").actorType(ActorType.USER).sourceService("flag-api").flagId("f").correlationId("c-" + seq).build());
        return new SiemRecord(seq, OffsetDateTime.now(), e, EventJson.toJson(e));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
