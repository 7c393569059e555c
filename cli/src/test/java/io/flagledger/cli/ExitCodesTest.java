package io.flagledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The exit codes CI branches on, through the real command line (Quarkus command mode). */
@QuarkusMainTest
class ExitCodesTest {

    @Test
    @Launch({"plan", "--help"})
    void helpIsZero(LaunchResult result) {
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).contains("--detect-drift", "--output");
    }

    @Test
    void aUsageErrorIsTwo(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("plan", "-p", "shop", "--no-such-option");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("Unknown option");
        assertThat(launcher.launch("audit", "prove").exitCode()).as("missing EVENT_ID").isEqualTo(2);
    }

    @Test
    void aServiceThatDoesNotAnswerIsTwo(QuarkusMainLauncher launcher) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Path dir = Files.createTempDirectory("flags");
        Files.createDirectories(dir.resolve("flags"));
        LaunchResult unsigned = launcher.launch("freezes", "-p", "shop", "--flag-api", "http://127.0.0.1:" + port);
        assertThat(unsigned.exitCode()).isEqualTo(2);
        assertThat(unsigned.getErrorOutput()).contains("not signed in");
        System.setProperty("flagledger.token", "any");
        try {
            LaunchResult result = launcher.launch("plan", "-p", "shop", "-d", dir.toString(), "--flag-api", "http://127.0.0.1:" + port);
            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.getErrorOutput()).contains("flagledger:").doesNotContain("\tat ");
        } finally {
            System.clearProperty("flagledger.token");
        }
    }

    @Test
    @Launch(value = {"audit", "verify", "/no/such/bundle.zip", "--key", "x+1+AAAA"}, exitCode = 2)
    void aMissingBundleIsTwo(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("no such bundle");
    }
}
